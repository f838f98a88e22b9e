import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgtalkError } from './errors.js';
import { classifyFileName, createFileId, formatMessageFileName } from './file-names.js';
import type { MessageExtension } from './media-types.js';
import { traceStage } from './stage-trace.js';

/** Larger messages are written without blocking the event loop. */
const SYNC_WRITE_MAX_BYTES = 256 * 1024;

export interface WrittenMessage {
  name: string;
  path: string;
  ordinal: number;
}

export interface MessageWriter {
  readonly dir: string;
  /**
   * Writes one message as a new file; resolves once it is visible under its final name.
   * `beforePublish` learns the name before any reader can see the file (the reader may act on it
   * before this promise settles).
   */
  write(bytes: string | Uint8Array, extension: MessageExtension, options?: { beforePublish?(name: string): void }): Promise<WrittenMessage>;
  /**
   * Refuses later writes (AGTALK_CLOSED) and resolves once the writes already asked for are done:
   * after it, the folder holds everything this writer will ever publish.
   */
  close(): Promise<void>;
}

/**
 * Creates the writing side of an agtalk folder. Writes are serialized so that ordinals are
 * renamed into place in order: a reader that sees ordinal N has already been able to see N-1.
 * The ordinal resumes after the highest one still in the folder, so a restarted writer never
 * sorts its messages before unread ones.
 */
export async function createMessageWriter(dir: string): Promise<MessageWriter> {
  await mkdir(dir, { recursive: true });
  let next = (await highestOrdinal(dir)) + 1;
  let queue: Promise<unknown> = Promise.resolve();

  const writeOne = async (bytes: string | Uint8Array, extension: MessageExtension, beforePublish?: (name: string) => void): Promise<WrittenMessage> => {
    const ordinal = next++;
    const name = formatMessageFileName(ordinal, createFileId(), extension);
    const path = join(dir, name);
    // Dot-names are ignored by readers, so the half-written file is never seen.
    const temporary = join(dir, `.${name}.${process.pid}.tmp`);
    try {
      // Small messages with synchronous calls: three quick system calls, where the thread pool
      // costs a round trip each. Large ones must not hold up the event loop.
      if (bytes.length <= SYNC_WRITE_MAX_BYTES) writeFileSync(temporary, bytes);
      else await writeFile(temporary, bytes);
      beforePublish?.(name);
      renameSync(temporary, path);
      traceStage('writer.renamed', name);
    } catch (cause) {
      await rm(temporary, { force: true });
      throw new AgtalkError('AGTALK_WRITE_FAILED', `could not write ${name} in ${dir}: ${String(cause)}`, { file: path, cause });
    }
    return { name, path, ordinal };
  };

  let closed = false;
  return {
    dir,
    write(bytes, extension, options) {
      if (closed) return Promise.reject(new AgtalkError('AGTALK_CLOSED', `the writer of ${dir} is closed: nothing more is written there`, { file: dir }));
      const result = queue.then(() => writeOne(bytes, extension, options?.beforePublish));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      closed = true;
      await queue;
    },
  };
}

async function highestOrdinal(dir: string): Promise<number> {
  let highest = -1;
  for (const name of await readdir(dir)) {
    const verdict = classifyFileName(name);
    if (verdict.kind === 'message') highest = Math.max(highest, verdict.file.ordinal);
  }
  return highest;
}
