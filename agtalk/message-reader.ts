import { watch, type FSWatcher } from 'chokidar';
import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AgtalkError } from './errors.js';
import { classifyFileName, compareMessageFiles, type MessageFileName } from './file-names.js';
import { mediaTypeForExtension, type MessageExtension } from './media-types.js';
import { traceStage } from './stage-trace.js';

export interface ReceivedFile extends MessageFileName {
  path: string;
  mediaType: string;
  bytes: Buffer;
  /** The parsed body, for JSON-bodied extensions (`.dm`, `.dee`, `.dcpm`, `.json`). */
  json?: unknown;
}

export interface GarbageFile {
  name: string;
  path: string;
  reason: string;
}

export interface MessageReaderOptions {
  /** Called once per message, in ordinal order; the next one waits until this one resolves. */
  onMessage(file: ReceivedFile): void | Promise<void>;
  /** A file that is named like a message but cannot be one: reported, never delivered. */
  onGarbage?(garbage: GarbageFile): void;
  /** A file that could not be read or disposed of, or a handler that threw: the file stays. */
  onError?(error: AgtalkError): void;
  /** Move handled messages here (kept as evidence) instead of deleting them. */
  archiveDir?: string;
  /** Move garbage here so it is neither lost nor reread; without it garbage stays in place. */
  garbageDir?: string;
  /** Parse JSON-bodied messages and treat unparseable ones as garbage (default true). */
  decodeJson?: boolean;
  /**
   * Bounds on what garbageDir keeps (default 1 MiB per file, 16 MiB in all): garbage past them is
   * removed, reported all the same, and counted (`quarantineOverflow`), not stored.
   */
  garbageCap?: { perFileBytes: number; totalBytes: number };
}

export const DEFAULT_GARBAGE_CAP = { perFileBytes: 1024 * 1024, totalBytes: 16 * 1024 * 1024 };

export interface MessageReader {
  readonly dir: string;
  /** Garbage reported but not kept, because it was over the quarantine cap. */
  readonly quarantineOverflow: { files: number; bytes: number };
  /** Resolves when every file present right now has been handled. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const JSON_BODIED: ReadonlySet<MessageExtension> = new Set(['dm', 'dee', 'dcpm', 'json']);
/** Plaintext DIDComm and envelopes are JSON objects; `.json` may be any value (e.g. a batch). */
const OBJECT_BODIED: ReadonlySet<MessageExtension> = new Set(['dm', 'dee', 'dcpm']);

/**
 * Watches an agtalk folder and hands each message to `onMessage` in ordinal order. The folder
 * listing is the source of truth; chokidar only says when to look again, so an event that
 * arrives out of order cannot reorder delivery.
 */
export async function watchMessages(dir: string, options: MessageReaderOptions): Promise<MessageReader> {
  await mkdir(dir, { recursive: true });
  if (options.archiveDir) await mkdir(options.archiveDir, { recursive: true });
  if (options.garbageDir) await mkdir(options.garbageDir, { recursive: true });
  const decodeJson = options.decodeJson ?? true;
  const reportError = (error: AgtalkError): void => options.onError?.(error);
  /** Names handled, reported as garbage or failed: each is looked at once. */
  const seen = new Set<string>();
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;

  const cap = options.garbageCap ?? DEFAULT_GARBAGE_CAP;
  const overflow = { files: 0, bytes: 0 };
  let kept = 0;
  /** Moves garbage to quarantine within the cap; past it, the file is removed and counted. */
  const quarantine = async (name: string, path: string, size: number): Promise<void> => {
    if (!options.garbageDir) return;
    try {
      if (size > cap.perFileBytes || kept + size > cap.totalBytes) {
        overflow.files += 1;
        overflow.bytes += size;
        await rm(path, { force: true });
        return;
      }
      kept += size;
      await moveFile(path, join(options.garbageDir, name));
    } catch (cause) {
      reportError(disposeError(name, path, cause));
    }
  };

  const handleOne = async (file: MessageFileName): Promise<void> => {
    const path = join(dir, file.name);
    traceStage('reader.found', file.name);
    const read = await readRegularFile(path);
    if ('error' in read) {
      reportError(new AgtalkError('AGTALK_READ_FAILED', `could not read ${file.name}: ${String(read.error)}`, { file: path, cause: read.error }));
      return;
    }
    if ('notRegular' in read) {
      // Never followed, never read: a link could point anywhere outside the inbox.
      options.onGarbage?.({ name: file.name, path, reason: `not a regular file (${read.notRegular}); not read` });
      if (read.notRegular === 'symbolic link') await rm(path, { force: true }).catch((cause: unknown) => reportError(disposeError(file.name, path, cause)));
      return;
    }
    const { bytes } = read;
    const decoded: Decoded = decodeJson && JSON_BODIED.has(file.extension) ? decodeBody(bytes, file.extension) : { ok: true, json: undefined };
    if (!decoded.ok) {
      options.onGarbage?.({ name: file.name, path, reason: decoded.reason });
      await quarantine(file.name, path, bytes.length);
      return;
    }
    traceStage('reader.read', file.name);
    try {
      await options.onMessage({ ...file, path, mediaType: mediaTypeForExtension(file.extension), bytes, json: decoded.json });
    } catch (cause) {
      reportError(new AgtalkError('AGTALK_READ_FAILED', `handler failed for ${file.name}; the file was left in place: ${String(cause)}`, { file: path, cause }));
      return;
    }
    try {
      if (options.archiveDir) await moveFile(path, join(options.archiveDir, file.name));
      else await rm(path, { force: true });
    } catch (cause) {
      reportError(disposeError(file.name, path, cause));
    }
  };

  const drainOnce = async (): Promise<void> => {
    const pending: MessageFileName[] = [];
    const listing = await readdir(dir);
    // Forget names that are gone, so that `seen` stays as small as the folder.
    const present = new Set(listing);
    for (const name of seen) if (!present.has(name)) seen.delete(name);
    for (const name of listing) {
      if (seen.has(name)) continue;
      const verdict = classifyFileName(name);
      if (verdict.kind === 'message') pending.push(verdict.file);
      if (verdict.kind === 'garbage') {
        seen.add(name);
        const path = join(dir, name);
        options.onGarbage?.({ name, path, reason: verdict.reason });
        const stat = await lstat(path).catch(() => undefined);
        if (stat?.isFile()) await quarantine(name, path, stat.size);
        else if (stat?.isSymbolicLink()) await rm(path, { force: true }).catch((cause: unknown) => reportError(disposeError(name, path, cause)));
      }
    }
    pending.sort(compareMessageFiles);
    for (const file of pending) {
      if (closed) return;
      seen.add(file.name);
      await handleOne(file);
    }
  };

  /**
   * Coalesces wake-ups: one listing pass at a time, and one more after it whenever something
   * woke us meanwhile. `running` is cleared in the same tick as the last check of `again`, so a
   * wake-up can never fall between the two and be lost.
   */
  const drain = (): Promise<void> => {
    again = true;
    running ??= (async () => {
      while (again && !closed) {
        again = false;
        try {
          await drainOnce();
        } catch (cause) {
          reportError(new AgtalkError('AGTALK_READ_FAILED', `could not list ${dir}: ${String(cause)}`, { file: dir, cause }));
        }
      }
      running = undefined;
    })();
    return running;
  };

  // The folder listing is the source of truth; change notifications only say "look again", so
  // one that arrives late or out of order cannot reorder delivery. chokidar is told to ignore the
  // files themselves and we listen to its raw notifications: tracking every file (its default)
  // means a watcher and an lstat per file on each change, which made 10,000 messages ~80 s
  // instead of ~28 s (bench/ and test/agtalk measure it).
  const watcher: FSWatcher = watch(dir, { ignoreInitial: true, depth: 0, persistent: true, atomic: false, ignored: (path: string) => path !== dir });
  watcher.on('raw', (_event, path: string) => {
    traceStage('reader.event', path);
    void drain();
  });
  watcher.on('error', (cause) => reportError(new AgtalkError('AGTALK_WATCH_FAILED', `watching ${dir} failed: ${String(cause)}`, { file: dir, cause })));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  // Files written before the watcher was ready produce no event: the first listing finds them.
  void drain();

  return {
    dir,
    quarantineOverflow: overflow,
    async settled() {
      await drain();
    },
    async close() {
      closed = true;
      await watcher.close();
      await running;
    },
  };
}

type Decoded = { ok: true; json: unknown } | { ok: false; reason: string };

/**
 * Reads a file only if it is a regular file in place: no link is followed (O_NOFOLLOW), and a
 * FIFO or device is never opened for reading (it could block or never end).
 */
async function readRegularFile(path: string): Promise<{ bytes: Buffer } | { notRegular: string } | { error: unknown }> {
  try {
    const stat = await lstat(path);
    if (!stat.isFile()) return { notRegular: kindOf(stat) };
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const opened = await handle.stat();
      if (!opened.isFile()) return { notRegular: kindOf(opened) };
      return { bytes: await handle.readFile() };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return { notRegular: 'symbolic link' };
    return { error };
  }
}

function kindOf(stat: { isSymbolicLink(): boolean; isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isSymbolicLink()) return 'symbolic link';
  if (stat.isDirectory()) return 'folder';
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'device';
  if (stat.isSocket()) return 'socket';
  return 'not a regular file';
}

function decodeBody(bytes: Buffer, extension: MessageExtension): Decoded {
  if (bytes.length === 0) return { ok: false, reason: 'empty file' };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    return { ok: false, reason: `not valid JSON (${cause instanceof Error ? cause.message : String(cause)})` };
  }
  if (OBJECT_BODIED.has(extension) && (typeof json !== 'object' || json === null || Array.isArray(json))) {
    return { ok: false, reason: `a .${extension} message must be a JSON object` };
  }
  return { ok: true, json };
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EXDEV') throw cause;
    await copyFile(from, to);
    await rm(from);
  }
}

function disposeError(name: string, path: string, cause: unknown): AgtalkError {
  return new AgtalkError('AGTALK_READ_FAILED', `could not remove or archive ${name}: ${String(cause)}`, { file: path, cause });
}
