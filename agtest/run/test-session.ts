import { randomUUID } from 'node:crypto';
import type { MessageWriter } from '../../agtalk/index.js';
import { invokeAgact } from '../../agact/index.js';
import { AgtestError } from '../../common/index.js';
import { TestFailure, TestSkipped, type JsonMessage, type MessageMatcher, type ReceivedMessage, type TestContext } from '../../suites/index.js';
import type { Transcript } from './transcript.js';

export interface SessionDeps {
  outbox: MessageWriter;
  endpoint: string;
  transport: string;
  claims: ReadonlySet<string>;
  agact: { command: string[]; timeoutMs: number; cwd: string };
  timeouts: { messageMs: number; silenceMs: number };
}

interface Waiter {
  match: MessageMatcher;
  resolve(message: ReceivedMessage): void;
  reject(error: Error): void;
}

/** Raised inside a test body after its time ran out, so that it stops acting on the agent. */
export class TestAborted extends Error {
  override readonly name = 'TestAborted';
}

/**
 * Everything one test sees: the messages that arrived while it ran, its sends, its agact calls
 * and warnings. The runner delivers inbound messages into the active session.
 */
export class TestSession {
  readonly warnings: string[] = [];
  private readonly messages: ReceivedMessage[] = [];
  private readonly consumed = new Set<ReceivedMessage>();
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private aborted = false;

  constructor(
    readonly test: string,
    private readonly deps: SessionDeps,
    readonly transcript: Transcript,
  ) {}

  deliver(message: ReceivedMessage): void {
    this.messages.push(message);
    for (const waiter of this.waiters) {
      if (!this.consumed.has(message) && waiter.match(message)) {
        this.consumed.add(message);
        this.waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  }

  /** Ends the test's pending waits, so that nothing of it outlives it (timers keep Node alive). */
  abort(): void {
    this.aborted = true;
    for (const waiter of this.waiters) waiter.reject(new TestAborted(`${this.test} was stopped`));
    this.waiters.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Runs agact for the runner (setup, teardown) or, through act(), for the test. */
  async agact(action: string, params: Record<string, unknown>) {
    const outcome = await invokeAgact({ action, params }, { ...this.deps.agact, test: this.test });
    this.transcript.add({
      kind: 'agact',
      action,
      params,
      outcome: outcome.status,
      output: outcome.status === 'done' ? outcome.output : undefined,
      durationMs: outcome.durationMs,
      stderr: outcome.stderr || undefined,
    });
    return outcome;
  }

  context(): TestContext {
    // The context is a plain object handed to suite code; it closes over the session.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const session = this;
    const deps = this.deps;
    return {
      test: this.test,
      endpoint: deps.endpoint,
      transport: deps.transport,
      claims: deps.claims,
      newId: () => randomUUID(),
      async send(message: JsonMessage) {
        session.throwIfAborted();
        const bytes = JSON.stringify(message);
        const written = await deps.outbox.write(bytes, 'dm');
        session.transcript.addMessage('sent', written.name, bytes, message);
      },
      receive(match, options) {
        const timeoutMs = options.timeoutMs ?? deps.timeouts.messageMs;
        const already = session.messages.find((message) => !session.consumed.has(message) && match(message));
        if (already) {
          session.consumed.add(already);
          return Promise.resolve(already);
        }
        return new Promise<ReceivedMessage>((resolve, reject) => {
          const timer = setTimeout(() => {
            session.timers.delete(timer);
            session.waiters.delete(waiter);
            reject(new TestFailure(`expected ${options.description}; none arrived within ${timeoutMs} ms`));
          }, timeoutMs);
          const waiter: Waiter = {
            match,
            resolve(message) {
              clearTimeout(timer);
              session.timers.delete(timer);
              resolve(message);
            },
            reject,
          };
          session.timers.add(timer);
          session.waiters.add(waiter);
        });
      },
      async expectSilence(match, options) {
        const windowMs = options.windowMs ?? deps.timeouts.silenceMs;
        await session.sleep(windowMs);
        const offending = session.messages.find(match);
        if (offending) throw new TestFailure(`unexpected: ${options.description} (arrived as ${offending.file})`);
      },
      received(match) {
        return match ? session.messages.filter(match) : [...session.messages];
      },
      async act(action, params = {}) {
        session.throwIfAborted();
        const outcome = await session.agact(action, params);
        if (outcome.status === 'not-supported') throw new TestSkipped(`agact ${action} is not supported by the agent (exit 2)`);
        return outcome.output;
      },
      warn(message) {
        if (!session.warnings.includes(message)) session.warnings.push(message);
      },
      fail(reason): never {
        throw new TestFailure(reason);
      },
      check(condition, reason): asserts condition {
        if (!condition) throw new TestFailure(reason);
      },
      skip(reason): never {
        throw new TestSkipped(reason);
      },
    };
  }

  private throwIfAborted(): void {
    if (this.aborted) throw new TestAborted(`${this.test} was stopped (its time ran out)`);
  }
}

export function isHarnessError(error: unknown): error is AgtestError {
  return error instanceof AgtestError;
}
