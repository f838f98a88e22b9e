import { join } from 'node:path';
import { describeError, isAgtestError, type AgtestError } from '../../common/index.js';
import type { KeyPair } from '../../envelopes/index.js';
import type { TestResult } from '../../profiles/index.js';
import { TestBlocked, TestFailure, TestSkipped, type ConnectionInfo } from '../../suites/index.js';
import type { PlannedTest } from './plan-tests.js';
import { connectByDidExchange, CONNECTION_TEST, ConnectionFailure, runsInConnection } from './connect.js';
import { TestAborted, TestSession, type SessionDeps } from './test-session.js';
import { Transcript } from './transcript.js';
import type { Redact } from './redact.js';

/** Claiming this junction switches every test of the run to RFC 0019 envelopes. */
const ENVELOPE_JUNCTION = 'envelope.rfc0019.passive';

/** How long a test's sends may still be in flight after it ends (beyond: the next test starts anyway). */
const DRAIN_MS = 30_000;

export interface RunTestDeps extends SessionDeps {
  outDir: string;
  testMs: number;
  /** Rejects when the adapter or the agent dies: the run cannot go on. */
  fatal: Promise<never>;
  /** Where inbound messages go while this test runs. */
  setActiveSession(session: TestSession | undefined): void;
  /** Resolves when the inbox holds nothing unread. */
  settleInbox(): Promise<void>;
  /** The run's DID exchange connection, once a test made it. */
  runConnection: { current?: { info: ConnectionInfo; keys: KeyPair } };
  /** Updated as the test goes through its phases. */
  progress: RunProgress;
  /** Hides the run's credentials in the transcript. */
  redact?: Redact;
}

/** Where a run is, for the account of an interruption. */
export interface RunProgress {
  phase: 'start' | 'setup' | 'test' | 'teardown' | 'finish';
  test?: string;
}

/** What one test gave: its result, and the backchannel failure that made it an error, if any. */
export interface TestOutcome {
  result: TestResult;
  backchannelError?: AgtestError;
  /** Where the test's time went (absent for a test that never started). */
  timing?: TestTiming;
}

/** A test's time by cause, in ms: its agact calls, its silence windows, the connection step before it. */
export interface TestTiming {
  agactMs: number;
  silenceMs: number;
  connectMs: number;
}

/** Backchannel failures that cost the test that met them, not the run (DESIGN §6: one hung call is that test's error). */
const TEST_LEVEL_AGACT_ERRORS = new Set(['AGTEST_AGACT_TIMEOUT', 'AGTEST_AGACT_FAILED', 'AGTEST_AGACT_BAD_OUTPUT']);

/**
 * Runs one test between `setup` and `teardown`, outcome as a value. A failed check is a result; an
 * agact call that hangs, fails or prints garbage makes the test an error; what ends the run (agact
 * exit 1, the adapter or the agent gone, an interruption) is thrown.
 */
export async function runTest(planned: PlannedTest, deps: RunTestDeps): Promise<TestOutcome> {
  const timing: TestTiming = { agactMs: 0, silenceMs: 0, connectMs: 0 };
  try {
    return { result: await runOne(planned, deps, timing), timing };
  } catch (error) {
    if (!isAgtestError(error) || !TEST_LEVEL_AGACT_ERRORS.has(error.code)) throw error;
    const result: TestResult = { test: planned.name, spec: planned.test.spec, status: 'error', reason: `backchannel failed in ${deps.progress.phase}: ${error.message}`, warnings: [], durationMs: error.durationMs ?? 0, transcript: join('transcripts', planned.name) };
    return { result: readable(result), backchannelError: error, timing };
  }
}

async function runOne(planned: PlannedTest, deps: RunTestDeps, timing: TestTiming): Promise<TestResult> {
  const transcriptPath = join('transcripts', planned.name);
  const base = { test: planned.name, spec: planned.test.spec, warnings: [] as string[] };
  if (planned.notRunReason) return { ...base, status: 'not-run', reason: planned.notRunReason, durationMs: 0 };
  const failedProbe = (planned.test.requires ?? []).find((junction) => deps.measured()[junction] === 'divergent');
  if (failedProbe) {
    return { ...base, status: 'blocked', reason: `needs ${failedProbe}, which failed every test in this run`, blockedBy: failedProbe, durationMs: 0 };
  }

  const transcript = new Transcript(join(deps.outDir, transcriptPath), deps.redact);
  await transcript.open();
  const session = new TestSession(planned.name, deps, transcript, planned.test.rules);
  const started = performance.now();
  // Whatever is still unread belongs before this test, not to it.
  await deps.settleInbox();
  deps.setActiveSession(session);
  let result: TestResult;
  try {
    // An agent that claims envelopes gets agtest's key and prints its own (DESIGN: agact may print
    // JSON); then every test runs inside envelopes, as it would on a real connection.
    // An agent that does DID exchange gets a real connection instead (connect.ts).
    // One connection serves the whole run (made by the first test that needs it, again if that
    // failed); setup names it so that the agent uses it for what it sends.
    const connected = runsInConnection(planned.junction, deps.claims);
    const envelopes = !connected && (planned.junction.startsWith('envelope.') || deps.claims.has(ENVELOPE_JUNCTION));
    const existing = connected ? deps.runConnection.current : undefined;
    deps.progress.phase = 'setup';
    const setup = await session.agact('setup', {
      endpoint: deps.endpoint,
      transport: deps.transport,
      ...(envelopes ? { verkey: deps.keys.verkey } : {}),
      ...(existing ? { connection: { agent_did: existing.info.agentDid, agtest_did: existing.info.agtestDid } } : {}),
    });
    if (setup.status === 'refused') throw new TestFailure(`the agent refused agact setup: ${setup.reason}`);
    deps.progress.phase = 'test';
    const printed = setup.status === 'done' ? (setup.output as { verkey?: unknown } | undefined) : undefined;
    if (envelopes && typeof printed?.verkey === 'string') session.agentVerkey = printed.verkey;
    session.sendsEnvelopes = envelopes && session.agentVerkey !== undefined;
    const context = session.context();
    const body = async () => {
      if (existing) session.adoptConnection(existing.info, existing.keys);
      else if (connected) {
        const connecting = performance.now();
        // The connection's own rules are the didexchange tests' to judge: here a failure only blocks.
        await connectByDidExchange(context, session, typeof printed?.verkey === 'string' ? printed.verkey : undefined)
          .catch((error: unknown) => {
            if (!(error instanceof TestFailure)) throw error;
            const prerequisite = error instanceof ConnectionFailure ? error.prerequisite : CONNECTION_TEST;
            throw new TestBlocked(`no connection (${error.message}), see ${prerequisite}`, prerequisite);
          })
          .finally(() => {
            session.timing.connectMs += performance.now() - connecting;
          });
        if (session.connection) deps.runConnection.current = { info: session.connection, keys: session.keys };
      }
      await planned.test.run(context);
    };
    const limit = planned.test.timeoutMs ?? deps.testMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new TestFailure(`did not finish within ${limit} ms`)), limit);
    });
    try {
      await Promise.race([body(), timeout, deps.fatal]);
      result = { ...base, ...(session.failures.length > 0 ? failed(session.failures) : { status: 'pass' as const }), warnings: session.warnings, durationMs: 0 };
    } catch (error) {
      if (isAgtestError(error)) throw error;
      result = { ...base, ...stopped(classify(error), session.failures), warnings: session.warnings, durationMs: 0 };
    } finally {
      clearTimeout(timer);
      session.abort();
    }
    await session.drainOutbox(DRAIN_MS);
    deps.progress.phase = 'teardown';
    await session.agact('teardown', {});
    await deps.settleInbox();
  } finally {
    deps.setActiveSession(undefined);
    await transcript.close();
    Object.assign(timing, session.timing);
  }
  return readable({ ...result, durationMs: Math.round(performance.now() - started), transcript: transcriptPath });
}

function failed(failures: string[]): Pick<TestResult, 'status' | 'reason' | 'failures'> {
  return { status: 'fail', reason: failures.join('; '), failures };
}

/**
 * The verdict of a test that stopped early, given the MUST failures it recorded before. A check that
 * stopped it comes after them: all count. A block or skip after a recorded failure cannot hide it
 * (one fault, one failure — and never none): the test fails with what it recorded, and why it
 * stopped is kept in the reason as a note, not as the verdict. A test that crashed stays an error
 * (the suite's defect is what needs fixing), its recorded failures kept beside it.
 */
function stopped(outcome: Pick<TestResult, 'status' | 'reason' | 'blockedBy'>, recorded: readonly string[]): Pick<TestResult, 'status' | 'reason' | 'blockedBy' | 'failures'> {
  if (recorded.length === 0) return outcome;
  if (outcome.status === 'fail') return failed([...recorded, outcome.reason ?? '']);
  if (outcome.status === 'error') return { ...outcome, failures: [...recorded] };
  const then = outcome.status === 'blocked' ? 'blocked' : 'skipped';
  return { status: 'fail', reason: `${recorded.join('; ')} (then ${then}: ${outcome.reason ?? ''})`, failures: [...recorded] };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/g;

/** Reasons quote what the agent sent: its control characters are shown escaped, never raw. */
function readable(result: TestResult): TestResult {
  const escape = (text: string) => text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return {
    ...result,
    ...(result.reason !== undefined ? { reason: escape(result.reason) } : {}),
    ...(result.failures ? { failures: result.failures.map(escape) } : {}),
    warnings: result.warnings.map(escape),
  };
}

function classify(error: unknown): Pick<TestResult, 'status' | 'reason' | 'blockedBy'> {
  if (error instanceof TestBlocked) return { status: 'blocked', reason: error.message, ...(error.prerequisite ? { blockedBy: error.prerequisite } : {}) };
  if (error instanceof TestFailure) return { status: 'fail', reason: error.message };
  if (error instanceof TestSkipped) return { status: 'not-run', reason: error.message };
  if (error instanceof TestAborted) return { status: 'fail', reason: error.message };
  return { status: 'error', reason: `the test itself failed: ${describeError(error)}` };
}
