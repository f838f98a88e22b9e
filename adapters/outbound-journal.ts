import { closeSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type JournalState = 'sending' | 'sent' | 'rejected';

/**
 * Remembers across a kill -9 what happened to each outbox file, so that a restart neither resends
 * a file the agent accepted (only its deletion was lost) nor resends one silently that may have
 * arrived. Append-only lines `<state> <file name>`; a dot-file, so agtalk readers ignore it.
 * Appends survive a killed process (they are in the page cache); fsync would only add power-loss
 * safety, at a cost per message that a test tool does not need.
 */
export class OutboundJournal {
  readonly path: string;
  private readonly states = new Map<string, JournalState>();
  private lines = 0;
  /** Kept open between appends; closed when compaction replaces the file. */
  private fd: number | undefined;
  /** Appends and rewrites must not interleave. */
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly outbox: string, adapterName: string) {
    this.path = join(outbox, `.${adapterName}-adapter-journal`);
  }

  async load(): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      const space = line.indexOf(' ');
      const state = line.slice(0, space);
      // A line cut by a crash mid-append has no newline; it is dropped with the others that fail this.
      if (space > 0 && (state === 'sending' || state === 'sent' || state === 'rejected')) this.states.set(line.slice(space + 1), state);
    }
    this.lines = this.states.size;
  }

  stateOf(file: string): JournalState | undefined {
    return this.states.get(file);
  }

  mark(state: JournalState, file: string): Promise<void> {
    this.states.set(file, state);
    this.lines++;
    // One write(2) on a descriptor kept open: the thread pool would cost three round trips (open,
    // write, close) on every message's path.
    return this.enqueue(async () => {
      this.fd ??= openSync(this.path, 'a');
      writeSync(this.fd, `${state} ${file}\n`);
    });
  }

  get size(): number {
    return this.lines;
  }

  /**
   * Forgets files no longer in the outbox (sent and deleted, or moved aside). With an empty outbox
   * the journal ends up empty, so it never grows with the length of a run.
   */
  compact(): Promise<void> {
    return this.enqueue(async () => {
      const present = new Set(await readdir(this.outbox));
      for (const file of this.states.keys()) if (!present.has(file)) this.states.delete(file);
      const text = [...this.states].map(([file, state]) => `${state} ${file}\n`).join('');
      const temporary = `${this.path}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, this.path);
      // The descriptor still points at the file just replaced: the next append opens the new one.
      this.closeFile();
      this.lines = this.states.size;
    });
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
