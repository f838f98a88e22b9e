import { TestFailure } from '../../suites/index.js';

interface Waiter<T> {
  match(item: T): boolean;
  resolve(item: T): void;
  reject(error: Error): void;
}

/**
 * What arrived during one test (messages, adapter events), and the test's waits for them. A wait
 * is satisfied by something that already arrived or by the next match; `consume` makes one arrival
 * satisfy one wait only (two receive() calls for two pings must not both get the first).
 */
export class Arrivals<T> {
  private readonly items: T[] = [];
  private readonly consumed = new Set<T>();
  private readonly waiters = new Set<Waiter<T>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly consume: boolean) {}

  add(item: T): void {
    this.items.push(item);
    for (const waiter of this.waiters) {
      if (this.consumed.has(item) || !waiter.match(item)) continue;
      if (this.consume) this.consumed.add(item);
      this.waiters.delete(waiter);
      waiter.resolve(item);
    }
  }

  all(match?: (item: T) => boolean): T[] {
    return match ? this.items.filter(match) : [...this.items];
  }

  /** Resolves with the first unconsumed match; rejects with a TestFailure naming `description` after `timeoutMs`. */
  next(match: (item: T) => boolean, description: string, timeoutMs: number): Promise<T> {
    const already = this.items.find((item) => !this.consumed.has(item) && match(item));
    if (already) {
      if (this.consume) this.consumed.add(already);
      return Promise.resolve(already);
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.waiters.delete(waiter);
        reject(new TestFailure(`expected ${description}; none arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        match,
        resolve: (item) => {
          clearTimeout(timer);
          this.timers.delete(timer);
          resolve(item);
        },
        reject,
      };
      this.timers.add(timer);
      this.waiters.add(waiter);
    });
  }

  /** Rejects every pending wait with `error` and clears its timer (timers keep Node alive). */
  abort(error: Error): void {
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
