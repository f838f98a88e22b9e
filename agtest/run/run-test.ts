import { join } from 'node:path';
import { describeError, isAgtestError } from '../../common/index.js';
import type { KeyPair } from '../../envelopes/index.js';
import type { TestResult } from '../../profiles/index.js';
import { TestFailure, TestSkipped, type ConnectionInfo } from '../../suites/index.js';
import type { PlannedTest } from './plan-tests.js';
import { connectByDidExchange, runsInConnection } from './connect.js';
import { TestAborted, TestSession, type SessionDeps } from './test-session.js';
import { Transcript } from './transcript.js';

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
}

/**
 * Runs one test between `setup` and `teardown`. A failed check is a result; a broken harness
 * (agact exit 1, timeout, non-JSON; adapter or agent gone) is thrown and ends the run.
 */
export async function runTest(planned: PlannedTest, deps: RunTestDeps): Promise<TestResult> {
  const transcriptPath = join('transcripts', planned.name);
  const base = { test: planned.name, spec: planned.test.spec, warnings: [] as string[] };
  if (planned.notRunReason) return { ...base, status: 'not-run', reason: planned.notRunReason, durationMs: 0 };

  const transcript = new Transcript(join(deps.outDir, transcriptPath));
  await transcript.open();
  const session = new TestSession(planned.name, deps, transcript);
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
    const setup = await session.agact('setup', {
      endpoint: deps.endpoint,
      transport: deps.transport,
      ...(envelopes ? { verkey: deps.keys.verkey } : {}),
      ...(existing ? { connection: { agent_did: existing.info.agentDid, agtest_did: existing.info.agtestDid } } : {}),
    });
    const printed = setup.status === 'done' ? (setup.output as { verkey?: unknown } | undefined) : undefined;
    if (envelopes && typeof printed?.verkey === 'string') session.agentVerkey = printed.verkey;
    session.sendsEnvelopes = envelopes && session.agentVerkey !== undefined;
    const context = session.context();
    const body = async () => {
      if (existing) session.adoptConnection(existing.info, existing.keys);
      else if (connected) {
        await connectByDidExchange(context, session, typeof printed?.verkey === 'string' ? printed.verkey : undefined);
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
      result = { ...base, status: 'pass', warnings: session.warnings, durationMs: 0 };
    } catch (error) {
      if (isAgtestError(error)) throw error;
      result = { ...base, ...classify(error), warnings: session.warnings, durationMs: 0 };
    } finally {
      clearTimeout(timer);
      session.abort();
    }
    await session.drainOutbox(DRAIN_MS);
    await session.agact('teardown', {});
    await deps.settleInbox();
  } finally {
    deps.setActiveSession(undefined);
    await transcript.close();
  }
  return { ...result, durationMs: Math.round(performance.now() - started), transcript: transcriptPath };
}

function classify(error: unknown): Pick<TestResult, 'status' | 'reason'> {
  if (error instanceof TestFailure) return { status: 'fail', reason: error.message };
  if (error instanceof TestSkipped) return { status: 'not-run', reason: error.message };
  if (error instanceof TestAborted) return { status: 'fail', reason: error.message };
  return { status: 'error', reason: `the test itself failed: ${describeError(error)}` };
}
