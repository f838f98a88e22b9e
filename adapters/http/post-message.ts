import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectGuardFromEnv } from '../../common/index.js';

export interface PostResponse {
  status: number;
  contentType?: string;
  body: Buffer;
  /** The body was longer than the limit and was not kept. */
  bodyTooLarge: boolean;
}

/** One POST that got no complete answer. `code` is the system's (ECONNREFUSED, ETIMEDOUT, …). */
export class PostFailure extends Error {
  override readonly name = 'PostFailure';
  readonly code: string;
  /** The whole body went out before the failure: the agent may have it. */
  readonly maybeDelivered: boolean;
  /** A kept-alive socket the server had already closed: nothing reached it, retry at once. */
  readonly staleSocket: boolean;

  constructor(code: string, message: string, flags: { maybeDelivered: boolean; staleSocket: boolean; cause?: unknown }) {
    super(message, { cause: flags.cause });
    this.code = code;
    this.maybeDelivered = flags.maybeDelivered;
    this.staleSocket = flags.staleSocket;
  }
}

export interface PostSettings {
  agent: HttpAgent;
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal;
}

export function createKeepAliveAgent(url: URL): HttpAgent {
  return url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
}

/** node:http rather than fetch: its errors carry the socket's code and say whether the body went out. */
export function postOnce(url: URL, body: Buffer, contentType: string, settings: PostSettings): Promise<PostResponse> {
  return new Promise((resolve, reject) => {
    let bodyWritten = false;
    let answered = false;
    // Under agtest serve: the target allowlist and the checked addresses hold (connect-guard.ts).
    const guard = connectGuardFromEnv();
    const offList = guard?.refusal(url);
    if (offList) return reject(new PostFailure('ENOTALLOWED', offList, { maybeDelivered: false, staleSocket: false, cause: new Error(offList) }));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, {
      ...(guard ? { lookup: guard.lookup } : {}),
      method: 'POST',
      agent: settings.agent,
      signal: settings.signal,
      headers: { 'content-type': contentType, 'content-length': String(body.length) },
    });
    const fail = (error: NodeJS.ErrnoException): void => {
      const code = error.code ?? error.name;
      const staleSocket = request.reusedSocket && code === 'ECONNRESET' && !answered;
      reject(new PostFailure(code, error.message, { maybeDelivered: bodyWritten && !staleSocket, staleSocket, cause: error }));
    };
    request.setTimeout(settings.timeoutMs, () => {
      request.destroy(Object.assign(new Error(`no answer within ${settings.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    request.on('finish', () => {
      bodyWritten = true;
    });
    request.on('error', fail);
    request.on('response', (response: IncomingMessage) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= settings.maxBodyBytes) chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('close', () => {
        if (!response.complete) fail(Object.assign(new Error('the connection closed before the whole answer arrived'), { code: 'ECONNRESET' }));
      });
      response.on('end', () => {
        const contentType = response.headers['content-type'];
        resolve({
          status: response.statusCode ?? 0,
          ...(contentType === undefined ? {} : { contentType }),
          body: size <= settings.maxBodyBytes ? Buffer.concat(chunks) : Buffer.alloc(0),
          bodyTooLarge: size > settings.maxBodyBytes,
        });
      });
    });
    request.end(body);
  });
}

export interface RetrySettings extends PostSettings {
  /** Attempts after the first. */
  retries: number;
  retryDelayMs: number;
  /** No further attempt once this is aborted (the one in flight is governed by `signal`). */
  stopRetrying?: AbortSignal;
  /** An attempt failed and will be repeated: `status` when the agent answered with an HTTP error. */
  onRetry?(reason: string, attempt: number, delayMs: number, status?: number): void;
}

export type PostOutcome =
  /** Some HTTP answer, possibly a 5xx/429 that stayed after every retry. */
  | { kind: 'answered'; response: PostResponse; attempts: number; repeated: boolean }
  /** Never a complete answer; `code` is the last failure's. */
  | { kind: 'unreachable'; code: string; attempts: number; repeated: boolean }
  | { kind: 'stopped'; repeated: boolean };

/**
 * POSTs with bounded retries and doubling delays. `repeated` says an earlier attempt may already
 * have reached the agent, so a success is possibly a duplicate delivery.
 */
export async function postWithRetries(url: URL, body: Buffer, contentType: string, settings: RetrySettings): Promise<PostOutcome> {
  let attempts = 0;
  let repeated = false;
  let staleRetried = false;
  const stopped = (): boolean => Boolean(settings.signal?.aborted || settings.stopRetrying?.aborted);
  for (;;) {
    if (stopped()) return { kind: 'stopped', repeated };
    attempts++;
    let reason: string;
    let status: number | undefined;
    try {
      const response = await postOnce(url, body, contentType, settings);
      if (response.status < 500 && response.status !== 429) return { kind: 'answered', response, attempts, repeated };
      if (attempts > settings.retries) return { kind: 'answered', response, attempts, repeated };
      status = response.status;
      reason = `HTTP ${response.status}${response.body.length > 0 ? `: ${response.body.toString('utf8', 0, Math.min(response.body.length, 800)).slice(0, 200)}` : ''}`;
    } catch (error) {
      if (settings.signal?.aborted) return { kind: 'stopped', repeated };
      if (!(error instanceof PostFailure)) throw error;
      repeated ||= error.maybeDelivered;
      if (error.staleSocket && !staleRetried) {
        staleRetried = true;
        attempts--;
        continue;
      }
      if (attempts > settings.retries) return { kind: 'unreachable', code: error.code, attempts, repeated };
      reason = `${error.code}${error.maybeDelivered ? ', after the whole message was sent' : ''}`;
    }
    const delayMs = settings.retryDelayMs * 2 ** (attempts - 1);
    settings.onRetry?.(reason, attempts, delayMs, status);
    try {
      await sleep(delayMs, undefined, { signal: settings.stopRetrying ?? settings.signal });
    } catch (error) {
      void error; // aborted: stop() was called while waiting to retry
      return { kind: 'stopped', repeated };
    }
  }
}
