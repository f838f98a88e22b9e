import { randomUUID } from 'node:crypto';

export const PING = 'https://didcomm.org/trust_ping/1.0/ping';

export function createPing(): { id: string; body: string } {
  const id = randomUUID();
  return { id, body: JSON.stringify({ '@type': PING, '@id': id, response_requested: true }) };
}

/** The `~thread.thid` of a ping_response, or undefined for anything else. */
export function threadOf(message: unknown): string | undefined {
  const thread = (message as { '~thread'?: { thid?: unknown } } | null)?.['~thread'];
  return typeof thread?.thid === 'string' ? thread.thid : undefined;
}

/** The reference agent's backchannel: `setup` points its replies at `endpoint`. */
export async function setupAgent(backchannel: string, endpoint: string): Promise<void> {
  const response = await fetch(backchannel, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'setup', params: { endpoint } }) });
  if (!response.ok) throw new Error(`backchannel setup answered ${response.status}: ${await response.text()}`);
}

/**
 * Waiters keyed by ping id, settled by whichever transport brings the response back. A reply that
 * never comes fails the bench instead of hanging it.
 */
export class ReplyWaiters {
  private readonly waiting = new Map<string, (at: number) => void>();

  wait(id: string, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no ping_response for ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  settle(message: unknown, at = performance.now()): void {
    const id = threadOf(message);
    const waiter = id === undefined ? undefined : this.waiting.get(id);
    if (!waiter || id === undefined) return;
    this.waiting.delete(id);
    waiter(at);
  }
}
