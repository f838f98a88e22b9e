/**
 * Callback delivery: every status change of a job with a callbackUrl was queued in the database in
 * the same transaction as the change (job-store.ts); this loop POSTs them, one job's events in
 * sequence order, signed with HMAC-SHA256 of the exact body under the key's signing secret, and
 * retries a failed delivery with exponential backoff. A receiver dedupes by requestId + sequence
 * (also sent as Idempotency-Key): a delivery whose 2xx was lost is sent again.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { describeError } from '../../common/index.js';
import type { KeyStore } from '../security/api-keys.js';
import { checkTarget, type Resolver } from '../security/target-guard.js';
import { pinnedDispatcher } from '../security/pinned-lookup.js';
import type { Database, Row } from '../store/db.js';

export const SIGNATURE_HEADER = 'x-agtest-signature';

/** `sha256=<hex>` of the body under the secret: what a receiver recomputes and compares. */
export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export interface DeliveryOptions {
  db: Database;
  keys: KeyStore;
  resolve: Resolver;
  /** First retry after this long, doubling up to maxDelayMs (defaults 500 ms, 60 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts before giving up on one event (default 8). */
  maxAttempts?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface CallbackDeliverer {
  wake(): void;
  stop(): Promise<void>;
}

export function startCallbackDelivery(options: DeliveryOptions): CallbackDeliverer {
  const { db } = options;
  const base = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 8;
  let stopped = false;
  let busy: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const deliverOne = async (row: Row) => {
    const jobId = String(row['job_id']);
    const seq = Number(row['seq']);
    const body = String(row['body']);
    const attempts = Number(row['attempts']) + 1;
    const key = options.keys.get(String(row['key_id']));
    let failure: string | undefined;
    try {
      const check = key ? await checkTarget(String(row['url']), key.targets, options.resolve) : { ok: false as const, reason: 'the key is gone' };
      if (!check.ok) {
        // Refused by the allowlist: retrying cannot help.
        db.run('UPDATE callbacks SET attempts = ?, given_up_at = ?, last_error = ? WHERE job_id = ? AND seq = ?', [attempts, new Date().toISOString(), `refused: ${check.reason}`, jobId, seq]);
        options.log?.(`callback ${jobId}#${seq} refused: ${check.reason}`);
        return;
      }
      // To the checked addresses only (http and https): a name re-pointed since the check is not asked again.
      const dispatcher = pinnedDispatcher(check.url, check.addresses);
      const response = await request(check.url.toString(), {
        method: 'POST',
        body,
        dispatcher,
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signBody(key!.signingSecret, body),
          'x-agtest-request-id': jobId,
          'x-agtest-sequence': String(seq),
          'idempotency-key': `${jobId}:${seq}`,
        },
        headersTimeout: options.timeoutMs ?? 5000,
        bodyTimeout: options.timeoutMs ?? 5000,
      });
      await response.body.dump().finally(() => void dispatcher.close());
      if (response.statusCode >= 200 && response.statusCode < 300) {
        db.run('UPDATE callbacks SET attempts = ?, delivered_at = ?, last_error = NULL WHERE job_id = ? AND seq = ?', [attempts, new Date().toISOString(), jobId, seq]);
        return;
      }
      failure = `answered ${response.statusCode}`;
    } catch (error) {
      failure = describeError(error);
    }
    if (attempts >= maxAttempts) {
      db.run('UPDATE callbacks SET attempts = ?, given_up_at = ?, last_error = ? WHERE job_id = ? AND seq = ?', [attempts, new Date().toISOString(), failure, jobId, seq]);
      options.log?.(`callback ${jobId}#${seq} given up after ${attempts} attempts: ${failure}`);
      return;
    }
    const delay = Math.min(maxDelay, base * 2 ** (attempts - 1));
    db.run('UPDATE callbacks SET attempts = ?, next_at = ?, last_error = ? WHERE job_id = ? AND seq = ?', [attempts, Date.now() + delay, failure, jobId, seq]);
  };

  const round = async () => {
    // The first undelivered event of each job, and only when it is due: order is kept per job.
    const due = db.all(
      `SELECT c.* FROM callbacks c
       WHERE c.delivered_at IS NULL AND c.given_up_at IS NULL AND c.next_at <= ?
         AND c.seq = (SELECT MIN(seq) FROM callbacks d WHERE d.job_id = c.job_id AND d.delivered_at IS NULL AND d.given_up_at IS NULL)`,
      [Date.now()],
    ) as Row[];
    await Promise.all(due.map(deliverOne));
    return due.length;
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref();
  };

  const tick = () => {
    if (busy || stopped) return;
    busy = round()
      .catch((error: unknown) => options.log?.(`callback delivery failed: ${describeError(error)}`))
      .then((count) => {
        busy = undefined;
        schedule(count ? 0 : 100);
      });
  };

  schedule(0);
  return {
    wake: () => schedule(0),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await busy;
    },
  };
}
