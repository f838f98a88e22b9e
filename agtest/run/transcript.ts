import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redact } from './redact.js';

export type TranscriptEntry =
  | { at: string; kind: 'sent'; file: string; type?: unknown; id?: unknown }
  | { at: string; kind: 'received'; file: string; type?: unknown; id?: unknown; thid?: unknown }
  | { at: string; kind: 'agact'; action: string; params: unknown; outcome: string; output?: unknown; durationMs: number; stderr?: string }
  | { at: string; kind: 'adapter'; event: unknown }
  | { at: string; kind: 'finding'; message: string; file?: string };

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;

/**
 * One test's evidence: every message sent and received, as the exact bytes (files named
 * `NN-sent-<agtalk name>` / `NN-received-<agtalk name>`), plus `transcript.json` in order.
 */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private counter = 0;
  private readonly pending: Promise<unknown>[] = [];

  /** `redact`: hides the run's credentials in everything written (an agent may quote them back). */
  constructor(
    readonly dir: string,
    private readonly redact?: Redact,
  ) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /**
   * `opened`: for an envelope, the plaintext inside it, kept beside the exact bytes
   * (`NN-<kind>-<file>.plaintext.json`) so that the evidence can be read without the keys.
   */
  addMessage(kind: 'sent' | 'received', file: string, bytes: string | Uint8Array, message: Record<string, unknown> | undefined, opened?: Record<string, unknown>): void {
    const copy = `${String(++this.counter).padStart(2, '0')}-${kind}-${file}`;
    // Only a run with credentials redacts, and only A2A runs have them: their records are UTF-8 JSON.
    const kept = this.redact ? this.redact(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8')) : bytes;
    this.pending.push(writeFile(join(this.dir, copy), kept));
    if (opened) this.pending.push(writeFile(join(this.dir, `${copy}.plaintext.json`), this.text(`${JSON.stringify(opened, null, 2)}\n`)));
    const thread = message?.['~thread'] as Record<string, unknown> | undefined;
    this.entries.push({ at: new Date().toISOString(), kind, file: copy, type: message?.['@type'], id: message?.['@id'], ...(kind === 'received' ? { thid: thread?.['thid'] } : {}) } as TranscriptEntry);
  }

  add(entry: WithoutAt<Extract<TranscriptEntry, { kind: 'agact' | 'adapter' | 'finding' }>>): void {
    this.entries.push({ at: new Date().toISOString(), ...entry } as TranscriptEntry);
  }

  async close(): Promise<void> {
    await Promise.all(this.pending);
    await writeFile(join(this.dir, 'transcript.json'), this.text(`${JSON.stringify(this.entries, null, 2)}\n`));
  }

  private text(text: string): string {
    return this.redact ? this.redact(text) : text;
  }
}
