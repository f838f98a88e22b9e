import { closeSync, constants, copyFileSync, existsSync, fstatSync, lstatSync, openSync, readFile, readFileSync, renameSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AgtalkError } from './errors.js';
import { classifyFileName, type MessageFileName } from './file-names.js';
import { mediaTypeForExtension, type MessageExtension } from './media-types.js';
import { PendingFiles } from './pending-files.js';
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

/** How often the folder is listed in case a change notification was lost. */
const SWEEP_INTERVAL_MS = 1_000;
/** Files up to this size are read with synchronous calls (faster than the thread pool, and brief). */
const SYNC_READ_MAX_BYTES = 256 * 1024;

/**
 * Watches an agtalk folder and hands each message to `onMessage` in ordinal order. Change
 * notifications name the files; the listing decides whenever a file is not the next ordinal,
 * so a notification that arrives late, out of order or never cannot reorder delivery.
 */
export async function watchMessages(dir: string, options: MessageReaderOptions): Promise<MessageReader> {
  await mkdir(dir, { recursive: true });
  if (options.archiveDir) await mkdir(options.archiveDir, { recursive: true });
  if (options.garbageDir) await mkdir(options.garbageDir, { recursive: true });
  const decodeJson = options.decodeJson ?? true;
  const reportError = (error: AgtalkError): void => options.onError?.(error);
  /** Names handled, reported as garbage or failed: each is looked at once. */
  const seen = new Set<string>();
  /** Message files named by a notification or a listing, not yet handled. */
  const pending = new PendingFiles();
  /** The ordinal after the last one handled: the one file that may be taken without a listing. */
  let expected = -1;
  let wantListing = false;
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
    // Named by a change notification and gone since (moved away, or the event was for its removal).
    if ('gone' in read) return;
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
      // Synchronous: one quick system call, where a thread-pool round trip costs several times more.
      if (options.archiveDir) moveFileSync(path, join(options.archiveDir, file.name));
      else rmSync(path, { force: true });
    } catch (cause) {
      reportError(disposeError(file.name, path, cause));
    }
  };

  /**
   * A full listing: files whose notification was missed or is late, garbage, and names to forget.
   * Garbage is handled here; messages join `pending`.
   */
  const list = async (): Promise<void> => {
    const listing = await readdir(dir);
    // Forget names that are gone, so that `seen` stays as small as the folder.
    const present = new Set(listing);
    for (const name of seen) if (!present.has(name)) seen.delete(name);
    for (const name of listing) {
      if (seen.has(name)) continue;
      const verdict = classifyFileName(name);
      if (verdict.kind === 'message') pending.add(verdict.file);
      if (verdict.kind === 'garbage') {
        seen.add(name);
        const path = join(dir, name);
        options.onGarbage?.({ name, path, reason: verdict.reason });
        const stat = await lstat(path).catch(() => undefined);
        if (stat?.isFile()) await quarantine(name, path, stat.size);
        else if (stat?.isSymbolicLink()) await rm(path, { force: true }).catch((cause: unknown) => reportError(disposeError(name, path, cause)));
      }
    }
  };

  /**
   * Hands over pending messages lowest ordinal first. A file is taken without a listing only when
   * it is the very next ordinal after the last one handled: one writer's renames arrive in order,
   * so that is the common case. Anything else (a gap, a first file, a restarted writer) lists the
   * folder first, so a late or lost notification cannot put a later file before an earlier one.
   */
  const drainOnce = async (): Promise<void> => {
    let listed = false;
    if (wantListing) {
      wantListing = false;
      listed = true;
      await list();
    }
    for (;;) {
      if (closed) return;
      const next = pending.peek();
      if (!next) return;
      if (!listed && next.ordinal !== expected) {
        listed = true;
        await list();
      }
      const file = pending.take()!;
      if (seen.has(file.name)) continue;
      seen.add(file.name);
      expected = file.ordinal + 1;
      await handleOne(file);
      listed = false;
    }
  };

  /**
   * Coalesces wake-ups: one pass at a time, and one more after it whenever something woke us
   * meanwhile. `running` is cleared in the same tick as the last check of `again`, so a wake-up
   * can never fall between the two and be lost.
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

  /**
   * A notification names the file it is about: a message name becomes pending at once, without
   * listing the folder. A name already handled is forgotten once it is gone (its removal is what
   * notified us). No name, or a name that could be garbage, asks for a listing.
   */
  const notice = (name: string | null): void => {
    if (closed) return;
    if (name === null) {
      wantListing = true;
    } else {
      traceStage('reader.event', name);
      if (seen.has(name)) {
        if (!existsSync(join(dir, name))) seen.delete(name);
        return;
      }
      const verdict = classifyFileName(name);
      if (verdict.kind === 'ignored') return;
      if (verdict.kind === 'garbage') wantListing = true;
      else pending.add(verdict.file);
    }
    void drain();
  };

  // node's own fs.watch (inotify, FSEvents, ReadDirectoryChangesW) on the folder alone: each
  // notification carries the file name, so a message costs no listing and no per-file watcher.
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { persistent: true }, (_event, name) => notice(name === null ? null : String(name)));
  } catch (cause) {
    throw new AgtalkError('AGTALK_WATCH_FAILED', `cannot watch ${dir}: ${String(cause)}`, { file: dir, cause });
  }
  watcher.on('error', (cause) => reportError(new AgtalkError('AGTALK_WATCH_FAILED', `watching ${dir} failed: ${String(cause)}`, { file: dir, cause })));
  // A notification can be lost (a full kernel queue drops them silently): a listing once a second
  // finds such a file. It is a safety net, never the path a message normally takes.
  const sweep = setInterval(() => {
    wantListing = true;
    void drain();
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  // Files written before the watcher started produce no notification: the first listing finds them.
  wantListing = true;
  void drain();

  return {
    dir,
    quarantineOverflow: overflow,
    async settled() {
      wantListing = true;
      await drain();
    },
    async close() {
      closed = true;
      clearInterval(sweep);
      watcher.close();
      await running;
    },
  };
}

type Decoded = { ok: true; json: unknown } | { ok: false; reason: string };

/**
 * Reads a file only if it is a regular file in place: no link is followed (O_NOFOLLOW), and a
 * FIFO or device is never opened for reading (it could block or never end). Small files are read
 * with synchronous calls: five quick system calls cost less than five thread-pool round trips.
 */
async function readRegularFile(path: string): Promise<{ bytes: Buffer } | { notRegular: string } | { gone: true } | { error: unknown }> {
  let fd: number | undefined;
  try {
    const stat = lstatSync(path);
    if (!stat.isFile()) return { notRegular: kindOf(stat) };
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const opened = fstatSync(fd);
    if (!opened.isFile()) return { notRegular: kindOf(opened) };
    if (opened.size <= SYNC_READ_MAX_BYTES) return { bytes: readFileSync(fd) };
    const large = fd;
    return { bytes: await new Promise<Buffer>((resolve, reject) => readFile(large, (error, bytes) => (error ? reject(error) : resolve(bytes)))) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { notRegular: 'symbolic link' };
    if (code === 'ENOENT') return { gone: true };
    return { error };
  } finally {
    if (fd !== undefined) closeSync(fd);
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

function moveFileSync(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EXDEV') throw cause;
    copyFileSync(from, to);
    rmSync(from);
  }
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
