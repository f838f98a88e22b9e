import { randomUUID } from 'node:crypto';
import type { MessageWriter } from '../../agtalk/index.js';
import type { AgactOutcome } from '../../agact/index.js';
import { AgtestError } from '../../common/index.js';
import {
  createKeyPairSync,
  createPeerDid1,
  createPeerDid2,
  createUnqualifiedDid,
  didKeyToVerkey,
  EnvelopeError,
  packRfc0019,
  resolveDidWithDocument,
  resolvePeerDid,
  signAttachment,
  signField,
  verifyAttachment,
  verifySignedField,
  verkeyToDidKey,
  type KeyPair,
} from '../../envelopes/index.js';
import { isMandatory, TestBlocked, TestFailure, TestSkipped, type ConnectionInfo, type DidTools, type Identity, type JsonMessage, type ReceivedMessage, type Rule, type TestContext, type TransportEvent } from '../../suites/index.js';
import { Arrivals } from './arrivals.js';
import type { AgactClient } from './agact-client.js';
import type { Transcript } from './transcript.js';

export interface SessionDeps {
  outbox: MessageWriter;
  endpoint: string;
  /** The agent's address (config agent.endpoint, filled in): TestContext.target. */
  target: string;
  transport: string;
  suite: string;
  measured(): Readonly<Record<string, string>>;
  claims: ReadonlySet<string>;
  /** Absent when the config names no agact: every action is then "not supported". */
  agact?: AgactClient;
  timeouts: { messageMs: number; silenceMs: number };
  /** agtest's own key for this run (RFC 0019 envelopes). */
  keys: KeyPair;
  /** Files sent bad on purpose in this run: the agent's refusal of one is the expected outcome, not a finding. */
  meantToBeRefused: Set<string>;
  /** Which test wrote each request file: a late answer to a finished test's request is that test's, not a stray. */
  sentBy: Map<string, string>;
  /** Keys made for single tests (DID exchange identities): inbound envelopes are opened with these too. */
  testKeys: KeyPair[];
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
  /** MUST-level checks that failed while the test went on (verify): the test fails with all of them. */
  readonly failures: string[] = [];
  /** The agent's verkey, when its setup printed one (envelope tests). */
  agentVerkey: string | undefined;
  /** send() packs (Authcrypt, to agentVerkey) instead of sending plaintext. */
  sendsEnvelopes = false;
  /** The key agtest packs from: the run's, or this test's DID exchange identity. */
  keys: KeyPair;
  /** The connection the runner made by DID exchange before the test, if any. */
  connection: ConnectionInfo | undefined;
  /** DIDComm files this test wrote to the outbox, in order. */
  readonly sentFiles: string[] = [];
  /** Files the test made bad on purpose: their refusal by the agent is the expected outcome, not a finding. */
  get meantToBeRefused(): Set<string> {
    // Run-wide: the adapter may report a refusal after the test that sent the file has ended.
    return this.deps.meantToBeRefused;
  }
  /** Where this test's time went, for `agtest run --timing`. */
  readonly timing = { agactMs: 0, silenceMs: 0, connectMs: 0 };
  private readonly messages = new Arrivals<ReceivedMessage>(true);
  private readonly events = new Arrivals<TransportEvent>(false);
  private readonly timers = new Set<NodeJS.Timeout>();
  private aborted = false;

  constructor(
    readonly test: string,
    private readonly deps: SessionDeps,
    readonly transcript: Transcript,
    private readonly rules: readonly Rule[] = [],
  ) {
    this.keys = deps.keys;
  }

  /** Runs this test inside the run's connection: its keys, the agent's key. */
  adoptConnection(info: ConnectionInfo, keys: KeyPair): void {
    this.keys = keys;
    this.connection = info;
    this.agentVerkey = info.agentVerkey;
    this.sendsEnvelopes = true;
  }

  /** A fresh key and did:peer:2 for this test; envelopes to it are opened from now on. */
  newIdentity(options: { endpoint?: string } = {}): Identity {
    this.keys = createKeyPairSync();
    this.deps.testKeys.push(this.keys);
    const { verkey } = this.keys;
    const endpoint = options.endpoint ?? this.deps.endpoint;
    return { did: createPeerDid2(verkey, endpoint), verkey, peer1: createPeerDid1(verkey, endpoint), unqualified: createUnqualifiedDid(verkey, endpoint) };
  }

  deliver(message: ReceivedMessage): void {
    this.messages.add(message);
  }

  /** What the adapter reported (sent, received, undeliverable, ...) while this test ran. */
  deliverEvent(event: TransportEvent): void {
    this.events.add(event);
  }

  /**
   * Waits (at most `limitMs`) until the adapter reported an outcome for every DIDComm file this
   * test sent: strict ordering means a POST the agent holds open delays whatever comes next, and
   * the next test must not inherit it.
   */
  async drainOutbox(limitMs: number): Promise<void> {
    const deadline = performance.now() + limitMs;
    // Woken by the adapter's events, not polled: a poll interval is time every test would pay.
    for (const file of this.sentFiles) {
      const left = Math.round(deadline - performance.now());
      if (left <= 0) return;
      const outcome = this.events.next((e) => (e.type === 'sent' || e.type === 'undeliverable') && e.file === file, `the adapter's outcome for ${file}`, left);
      // Past the limit the next test starts anyway (the caller's rule): a timeout here is no error.
      const settled = await outcome.then(
        () => true,
        () => false,
      );
      if (!settled) return;
    }
  }

  /** Ends the test's pending waits, so that nothing of it outlives it (timers keep Node alive). */
  abort(): void {
    this.aborted = true;
    const stopped = new TestAborted(`${this.test} was stopped`);
    this.messages.abort(stopped);
    this.events.abort(stopped);
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
  async agact(action: string, params: Record<string, unknown>): Promise<AgactOutcome> {
    if (!this.deps.agact) return { status: 'not-supported', durationMs: 0, stderr: '' };
    const started = performance.now();
    const outcome = await this.deps.agact.call(action, params, this.test).finally(() => {
      this.timing.agactMs += performance.now() - started;
    });
    this.transcript.add({
      kind: 'agact',
      action,
      params,
      outcome: outcome.status,
      output: outcome.status === 'done' ? outcome.output : outcome.status === 'refused' ? { reason: outcome.reason } : undefined,
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
      target: deps.target,
      transport: deps.transport,
      suite: deps.suite,
      measured: deps.measured,
      claims: deps.claims,
      newId: () => randomUUID(),
      async sendJson(value: JsonMessage) {
        session.throwIfAborted();
        const bytes = JSON.stringify(value);
        const written = await deps.outbox.write(bytes, 'json', { beforePublish: (name) => void deps.sentBy.set(name, session.test) });
        session.transcript.addMessage('sent', written.name, bytes, value);
        return { file: written.name };
      },
      async send(message: JsonMessage, options = {}) {
        session.throwIfAborted();
        if (session.sendsEnvelopes && session.agentVerkey) return this.sendEnvelope(message, { mode: 'authcrypt', expectRefusal: options.expectRefusal ?? false });
        return this.sendPlaintext(message, options);
      },
      async sendPlaintext(message: JsonMessage, options = {}) {
        session.throwIfAborted();
        const bytes = JSON.stringify(message);
        // Marked before the adapter can see the file: its refusal may be reported before write() returns.
        const written = await deps.outbox.write(bytes, 'dm', { beforePublish: (name) => void (options.expectRefusal && session.meantToBeRefused.add(name)) });
        session.sentFiles.push(written.name);
        session.transcript.addMessage('sent', written.name, bytes, message);
        return { file: written.name };
      },
      get agtestVerkey() {
        return session.keys.verkey;
      },
      get agentVerkey() {
        return session.agentVerkey;
      },
      get connection() {
        return session.connection;
      },
      dids: session.didTools(),
      async sendEnvelope(message, options) {
        session.throwIfAborted();
        const to = options.to ?? session.agentVerkey;
        if (!to) throw new TestFailure("the agent's setup printed no {\"verkey\": ...}, so agtest has no key to pack to (an agent that claims envelopes must)");
        const envelope = packRfc0019(JSON.stringify(message), [...(options.before ?? []), to], options.mode === 'authcrypt' ? session.keys : undefined);
        const bytes = JSON.stringify(options.mutate ? options.mutate(envelope) : envelope);
        const refusalExpected = options.expectRefusal ?? (options.mutate !== undefined || options.to !== undefined);
        const written = await deps.outbox.write(bytes, 'dee', { beforePublish: (name) => void (refusalExpected && session.meantToBeRefused.add(name)) });
        session.sentFiles.push(written.name);
        session.transcript.addMessage('sent', written.name, bytes, { ...message, '~agtest': { envelope: options.mode, to, tampered: options.mutate !== undefined } }, message);
        return { file: written.name };
      },
      receive(match, options) {
        return session.messages.next(match, options.description, options.timeoutMs ?? deps.timeouts.messageMs);
      },
      async expectSilence(match, options) {
        const windowMs = options.windowMs ?? deps.timeouts.silenceMs;
        const started = performance.now();
        await session.sleep(windowMs);
        session.timing.silenceMs += performance.now() - started;
        const offending = session.messages.all(match)[0];
        if (offending) throw new TestFailure(`unexpected: ${options.description} (arrived as ${offending.file})`);
      },
      received(match) {
        return session.messages.all(match);
      },
      transportEvent(match, options) {
        return session.events.next(match, options.description, options.timeoutMs ?? deps.timeouts.messageMs);
      },
      transportEvents(match) {
        return session.events.all(match);
      },
      async act(action, params = {}) {
        session.throwIfAborted();
        const outcome = await session.agact(action, params);
        if (outcome.status === 'not-supported') {
          throw new TestSkipped(deps.agact ? `agact ${action} is not supported by the agent (exit 2)` : `needs agact ${action}, and the config names no agact`);
        }
        // The agent declined what the test needs it to do: that is the test's verdict, in the agent's words.
        if (outcome.status === 'refused') throw new TestFailure(`the agent refused agact ${action}: ${outcome.reason}`);
        return outcome.output;
      },
      warn(message) {
        if (!session.warnings.includes(message)) session.warnings.push(message);
      },
      verify(ruleId, condition, reason) {
        if (condition) return true;
        const rule = session.rules.find((r) => r.id === ruleId);
        // A check naming a rule its test does not declare is a defect of the suite, not of the agent.
        if (!rule) throw new Error(`check names rule ${JSON.stringify(ruleId)}, which ${session.test} does not declare`);
        const message = `${reason} [${rule.level}, ${rule.cite}]`;
        const list = isMandatory(rule.level) ? session.failures : session.warnings;
        if (!list.includes(message)) list.push(message);
        return false;
      },
      block(reason, prerequisite): never {
        throw new TestBlocked(reason, prerequisite);
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

  private didTools(): DidTools {
    const reason = (error: EnvelopeError) => `${error.code}: ${error.message}`;
    return {
      newIdentity: (options) => this.newIdentity(options),
      newRecipientKey: () => {
        const keys = createKeyPairSync();
        this.deps.testKeys.push(keys);
        return keys.verkey;
      },
      pack: (message, to) => ({ ...packRfc0019(JSON.stringify(message), [to]) }),
      // Only what is wrong with the agent's data is a result; anything else is agtest's error.
      resolve(did, document) {
        try {
          const inline = /^did:peer:[24]/.test(did);
          const resolved = inline || document === undefined ? resolvePeerDid(did) : resolveDidWithDocument(did, typeof document === 'string' ? Buffer.from(document, 'utf8') : document);
          return { ...resolved, key: resolved.services[0]?.recipientKeys[0] ?? resolved.verkeys[0] };
        } catch (error) {
          if (!(error instanceof EnvelopeError)) throw error;
          return { error: reason(error) };
        }
      },
      verifyAttachment(attachment) {
        try {
          const verified = verifyAttachment(attachment);
          return { payload: Buffer.from(verified.payload).toString('utf8'), signers: verified.signers };
        } catch (error) {
          if (!(error instanceof EnvelopeError)) throw error;
          return { error: reason(error) };
        }
      },
      verifySignedField(field) {
        try {
          const verified = verifySignedField(field);
          return { signer: verified.signer, valid: verified.valid, value: verified.value };
        } catch (error) {
          if (!(error instanceof EnvelopeError)) throw error;
          return { error: reason(error) };
        }
      },
      signField: (value) => ({ ...signField(value, this.keys) }),
      verkeyToDidKey: (verkey) => verkeyToDidKey(verkey),
      sign: (data) => ({ ...signAttachment(data, this.keys) }),
      didKeyToVerkey(didKey) {
        try {
          return didKeyToVerkey(didKey);
        } catch {
          return undefined;
        }
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
