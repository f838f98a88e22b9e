/**
 * One timer for every running iteration's timeout, and one listener for the run's stop, instead of
 * a timer and a listener per iteration (they were a third of the engine's own cost). The timeout is
 * the same for every iteration and iterations start in clock order, so deadlines come in order: a
 * FIFO queue is a priority queue here.
 */
import type { Clock } from './clock.js';

export interface Watched {
  /** Called once, at the deadline or when the run stops, unless `release` came first. */
  onTimeout(): void;
  onStop(): void;
}

interface Entry {
  deadlineUs: number;
  watched: Watched;
  done: boolean;
}

export class Watchdog {
  private readonly queue: Entry[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly active = new Set<Entry>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    stopSignal: AbortSignal,
  ) {
    stopSignal.addEventListener('abort', () => this.stopAll(), { once: true });
    this.stopped = stopSignal.aborted;
  }

  /** Watches one iteration from now; returns its release (call it when the iteration settles). */
  watch(watched: Watched): () => void {
    const entry: Entry = { deadlineUs: this.clock.now() + this.timeoutMs * 1000, watched, done: false };
    if (this.stopped) {
      entry.done = true;
      watched.onStop();
      return () => undefined;
    }
    this.queue.push(entry);
    this.active.add(entry);
    if (!this.timer) this.arm();
    return () => {
      entry.done = true;
      this.active.delete(entry);
      this.trim();
    };
  }

  /** Drops the settled entries at the head, so the queue stays about as long as what is running. */
  private trim(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.done) this.head += 1;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private arm(): void {
    this.trim();
    const next = this.queue[this.head];
    if (!next) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.fire(), Math.max(0, (next.deadlineUs - this.clock.now()) / 1000));
  }

  private fire(): void {
    const now = this.clock.now();
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      if (!entry.done && entry.deadlineUs > now) break;
      this.head += 1;
      if (entry.done) continue;
      entry.done = true;
      this.active.delete(entry);
      entry.watched.onTimeout();
    }
    this.arm();
  }

  private stopAll(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const entry of this.active) {
      entry.done = true;
      entry.watched.onStop();
    }
    this.active.clear();
  }

  /** Stops the timer (the run is over). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
