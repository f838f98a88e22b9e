import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { extensionForMediaType, traceStage, watchMessages, type MessageReader, type MessageWriter, type ReceivedFile } from '../../agtalk/index.js';
import type { AdapterContext } from '../adapter.js';
import { AdapterError } from '../errors.js';
import type { ResolvedHttpAdapterOptions } from './options.js';
import { OutboundJournal } from '../outbound-journal.js';
import { createKeepAliveAgent, postWithRetries, type PostResponse } from './post-message.js';

/** Where refused files go: a dot-folder, so agtalk readers skip it, and nothing is lost. */
export const UNDELIVERABLE_DIR = '.undeliverable';
/** An in-flight POST may finish this long after stop() before it is cut off (and resent next start). */
const STOP_GRACE_MS = 1_000;
const COMPACT_AFTER_LINES = 500;
const COMPACT_WHEN_IDLE_MS = 1_000;

/** Thrown from the reader's handler to leave a file in the outbox on purpose. */
class Halted extends Error {}

export interface OutboundSender {
  stop(): Promise<void>;
}

/**
 * Sends the outbox in ordinal order, one POST at a time: 2xx → deleted (by the reader, after the
 * handler resolves); 4xx, or 5xx/429 after the retries → moved to `.undeliverable/`; unreachable
 * after the retries → fatal, the file stays. A journal makes this exactly-once across kill -9,
 * except a file cut off mid-POST, which is resent and reported as a possible duplicate.
 */
export async function startOutboundSender(context: AdapterContext, target: URL, inbox: MessageWriter, options: ResolvedHttpAdapterOptions): Promise<OutboundSender> {
  const journal = new OutboundJournal(context.outbox, 'http');
  await mkdir(context.outbox, { recursive: true });
  await journal.load();
  await journal.compact();
  const agent = createKeepAliveAgent(target);
  /** stop() ends retry waits at once, and an in-flight POST after a grace period. */
  const stopping = new AbortController();
  const cutOff = new AbortController();
  let halted = false;
  let idleTimer: NodeJS.Timeout | undefined;

  const fail = (error: AdapterError): void => {
    if (halted) return;
    halted = true;
    context.fatal(error);
  };
  /** Fails and leaves the current file in the outbox. */
  const halt = (error: AdapterError): never => {
    fail(error);
    throw new Halted(error.message);
  };
  const ioFailed = (what: string, file: string, cause: unknown): AdapterError =>
    new AdapterError('ADAPTER_IO_FAILED', `${what} ${file} failed: ${String(cause)}`, { file, cause });

  const setAside = async (file: ReceivedFile, status: number | undefined, reason: string): Promise<void> => {
    try {
      await journal.mark('rejected', file.name);
      await mkdir(join(context.outbox, UNDELIVERABLE_DIR), { recursive: true });
      await rename(file.path, join(context.outbox, UNDELIVERABLE_DIR, file.name));
    } catch (cause) {
      halt(ioFailed('moving aside the undeliverable', file.name, cause));
    }
    context.emit({ type: 'undeliverable', file: file.name, ...(status === undefined ? {} : { status }), reason });
  };

  const keepReturnRoute = async (file: ReceivedFile, response: PostResponse): Promise<void> => {
    if (response.body.length === 0 && !response.bodyTooLarge) return;
    const type = response.contentType;
    if (response.bodyTooLarge) {
      context.emit({ type: 'warning', message: `dropped the answer to ${file.name}: larger than ${options.maxBodyBytes} bytes` });
      return;
    }
    const extension = extensionForMediaType(type, { plainJson: options.plainJson });
    if (!extension) {
      // A JSON body under a wrong type is likely a return-route reply the agent mislabelled: a finding.
      // Other bodies ("OK", an HTML page) are what many servers send with a 200.
      const looksJson = /^\s*[[{]/.test(response.body.subarray(0, 64).toString('utf8'));
      const message = `ignored a ${response.body.length}-byte answer to ${file.name} with Content-Type ${JSON.stringify(type ?? null)}`;
      if (looksJson) context.emit({ type: 'warning', message: `${message}: it looks like JSON, but the type is not a message type` });
      else context.log(`http adapter: ${message}`);
      return;
    }
    let written;
    try {
      written = await inbox.write(response.body, extension);
    } catch (cause) {
      return halt(ioFailed('writing the return-route answer to', file.name, cause));
    }
    context.emit({ type: 'received', file: written.name, contentType: type ?? '', via: 'return-route' });
  };

  const send = async (file: ReceivedFile): Promise<void> => {
    if (halted) throw new Halted('halted');
    const before = journal.stateOf(file.name);
    if (before === 'sent') {
      context.log(`http adapter: ${file.name} was accepted before a restart; deleting it without resending`);
      return;
    }
    if (before === 'rejected') return setAside(file, undefined, 'refused by the agent before the adapter restarted');
    try {
      await journal.mark('sending', file.name);
    } catch (cause) {
      halt(ioFailed('journaling', file.name, cause));
    }
    traceStage('http.journaled', file.name);
    const started = performance.now();
    const outcome = await postWithRetries(target, file.bytes, file.mediaType, {
      agent,
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      signal: cutOff.signal,
      stopRetrying: stopping.signal,
      onRetry: (reason, attempt, delayMs, status) => {
        context.log(`http adapter: POST ${file.name} to ${target.href} failed (${reason}); retrying in ${delayMs} ms (attempt ${attempt + 1} of ${options.retries + 1})`);
        // Each failed attempt is reported: an HTTP error is the agent's answer, whatever the retry settings.
        context.emit({ type: 'retrying', file: file.name, ...(status === undefined ? {} : { status }), reason, attempt, delayMs });
      },
    });
    if (outcome.kind === 'stopped') throw new Halted('stopped');
    if (outcome.kind === 'unreachable') {
      return halt(new AdapterError('ADAPTER_TARGET_UNREACHABLE', `cannot reach ${target.href} (${outcome.code}) after ${outcome.attempts} attempts; ${file.name} stays in ${context.outbox}`, { file: file.path }));
    }
    // A resend after a crash, or a retry after the body went out: the agent may now have it twice.
    // (A file left in the outbox is journaled `sending` and gets this report when it is resent.)
    if (before === 'sending' || outcome.repeated) context.emit({ type: 'possible-duplicate', file: file.name });
    const { response } = outcome;
    traceStage('http.answered', file.name);
    if (response.status < 200 || response.status > 299) {
      const text = response.body.toString('utf8', 0, Math.min(response.body.length, 800)).slice(0, 200);
      return setAside(file, response.status, text || `HTTP ${response.status}`);
    }
    // The answer goes to the inbox before `sent` is journaled: a crash in between resends (and
    // says so) rather than losing the answer.
    await keepReturnRoute(file, response);
    try {
      await journal.mark('sent', file.name);
    } catch (cause) {
      halt(ioFailed('journaling', file.name, cause));
    }
    context.emit({ type: 'sent', file: file.name, status: response.status, durationMs: Math.round(performance.now() - started) });
  };

  const scheduleCompaction = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      journal.compact().catch((cause: unknown) => context.log(`http adapter: could not compact ${journal.path}: ${String(cause)}`));
    }, COMPACT_WHEN_IDLE_MS);
  };

  const reader: MessageReader = await watchMessages(context.outbox, {
    // agtest sends malformed messages on purpose; the adapter carries bytes, it does not judge them.
    decodeJson: false,
    onMessage: async (file) => {
      clearTimeout(idleTimer);
      if (journal.size > COMPACT_AFTER_LINES) await journal.compact();
      try {
        await send(file);
      } finally {
        scheduleCompaction();
      }
    },
    onGarbage: (garbage) => context.emit({ type: 'warning', message: `outbox file ${garbage.name} was left unsent: ${garbage.reason}` }),
    onError: (error) => {
      if (error.cause instanceof Halted) return;
      // Going on after a file could not be read or removed would send the next ones out of order.
      fail(new AdapterError('ADAPTER_IO_FAILED', error.message, { file: error.file, cause: error }));
    },
  });

  return {
    async stop() {
      halted = true;
      stopping.abort();
      const grace = setTimeout(() => cutOff.abort(), STOP_GRACE_MS);
      await reader.close();
      clearTimeout(grace);
      clearTimeout(idleTimer);
      agent.destroy();
      await journal.compact().catch((cause: unknown) => context.log(`http adapter: could not compact ${journal.path}: ${String(cause)}`));
    },
  };
}
