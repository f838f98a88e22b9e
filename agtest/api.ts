import { readdir } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join, resolve } from 'node:path';
import { A2A_CREDENTIALS_ENV, launchAdapter, type AdapterEvent } from '../adapters/index.js';
import { createMessageWriter, DEFAULT_GARBAGE_CAP, watchMessages } from '../agtalk/index.js';
import { AgtestError, connectGuardFromEnv, describeError, isAgtestError, resolveCommand } from '../common/index.js';
import { createKeyPair, type KeyPair } from '../envelopes/index.js';
import { scoreResults, validateProfile, verdictOf, type Finding, type InteropProfile, type MustCoverage, type RunInterruption, type TestResult } from '../profiles/index.js';
import { A2A_SUITE_URI, a2aSuites, DIDCOMM_V1_SUITE_URI, didcommV1Suites, type Suite } from '../suites/index.js';
import type { HarnessConfig } from './config/load-config.js';
import { mustCoverageByJunction } from './coverage/must-coverage.js';
import { formatJunitXml } from './output/junit-xml.js';
import { claimOutputFolder } from './output/output-folder.js';
import type { Reporter, RunSummary } from './reporters/reporter.js';
import { createAgactClient } from './run/agact-client.js';
import { startAgentProcess } from './run/agent-process.js';
import { expandClaims, planTests } from './run/plan-tests.js';
import { confirmBlocks } from './run/confirm-blocks.js';
import { createInboundDelivery } from './run/inbound.js';
import { firstExit, interruptionExitCode, openLogs, preflight, ROOT_CAUSE_GRACE_MS, rootCause } from './run/interruption.js';
import { runTest, type RunProgress, type RunTestDeps, type TestTiming } from './run/run-test.js';
import { createStageClock, junctionTimings } from './run/stages.js';
import { fillCommand, fillTemplate } from './run/template.js';
import type { TestSession } from './run/test-session.js';
import { Transcript } from './run/transcript.js';
import { createRedactor, redactFinding, redactResult, scrubFolder } from './run/redact.js';

export interface RunOptions {
  config: HarnessConfig;
  /** Where profile.json, junit.xml and transcripts/ go. */
  outDir: string;
  suites?: readonly Suite[];
  suiteUri?: string;
  reporters?: readonly Reporter[];
  /** Lines the agent and the adapter write to stderr (for --verbose). */
  log?: (line: string) => void;
  /**
   * Stops the run (Ctrl-C): what it started is stopped, and the profile of the finished tests is
   * written with the run marked interrupted. The abort reason (e.g. 'SIGINT') names the cause.
   */
  signal?: AbortSignal;
}

/** Consecutive backchannel failures after which the run stops: one is a test's error, this many a dead backchannel. */
export const BACKCHANNEL_FAILURE_LIMIT = 3;


/**
 * Runs the claimed suites against one agent and writes the profile, JUnit XML and transcripts.
 * Resolves with the summary whatever the agent's verdicts — also when the run stopped early (the
 * agent or the adapter died, the backchannel broke, `signal` aborted): then the summary and the
 * profile are marked `interrupted`, with the finished tests' results. Rejects with an AgtestError
 * only when nothing could start (bad claims, an output folder it cannot write). Every process it
 * started is stopped before it settles.
 */
export async function run(options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const { config } = options;
  const a2a = config.suite === 'a2a';
  const suites = options.suites ?? (a2a ? a2aSuites : didcommV1Suites);
  const suiteUri = options.suiteUri ?? (a2a ? A2A_SUITE_URI : DIDCOMM_V1_SUITE_URI);
  const reporters = options.reporters ?? [];
  // The agent's credentials are hidden in everything the run prints or writes: transcripts,
  // results, findings, logs, the interruption (an agent may quote back the token it refused).
  const credentials = a2a ? config.agent.headers : undefined;
  const redact = createRedactor(Object.values(credentials ?? {}));
  const rawLog = options.log ?? (() => undefined);
  const log = (line: string) => rawLog(redact(line));
  const outDir = resolve(options.outDir);
  const claimed = expandClaims(config.claims, suites, config.source);
  const planned = planTests(suites, claimed, config.only);
  const transport = config.transport.command ? 'custom' : config.transport.adapter;
  // The requirement maps speak of the built-in suites' junctions only; read before anything starts, so a broken map fails fast.
  const builtin = new Set<Suite>([...didcommV1Suites, ...a2aSuites]);
  const allMusts = mustCoverageByJunction();
  const musts = new Map(suites.filter((suite) => builtin.has(suite) && allMusts.has(suite.junction)).map((suite): [string, MustCoverage] => [suite.junction, allMusts.get(suite.junction)!]));

  const output = await claimOutputFolder(outDir);
  try {
    return await runClaimed();
  } finally {
    await output.release();
  }

  // The run proper, inside its claimed output folder.
  async function runClaimed(): Promise<RunSummary> {
    const progress: RunProgress = { phase: 'start' };
    const exits: { who: string; error: AgtestError }[] = [];
    let interruption: RunInterruption | undefined;
    let agentInfo: { name?: string; version?: string } = { name: config.agent.name, version: config.agent.version };
    const logs = await openLogs(outDir);
    const results: TestResult[] = [];
    const findings: Finding[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    // run() as named stages, each timed: `agtest run --timing` says where the run's time went.
    const clock = createStageClock();
    const testTimings = new Map<string, TestTiming>();
    let active: TestSession | undefined;
    const addFinding = async (found: Finding) => {
      const finding = redactFinding(found, redact);
      findings.push(finding);
      active?.transcript.add({ kind: 'finding', message: finding.message, file: finding.file });
      for (const reporter of reporters) await reporter.onFinding?.(finding);
    };

    const aborted = new Promise<never>((_resolve, reject) => {
      const stop = () => reject(new AgtestError('AGTEST_INTERRUPTED', `interrupted by ${String(options.signal?.reason ?? 'abort')}`));
      if (options.signal?.aborted) stop();
      else options.signal?.addEventListener('abort', stop, { once: true });
    });
    aborted.catch(() => undefined);
    // Each child's exit is recorded as it happens: a consequence (a refused connection, a 502) that
    // surfaces first must not be reported as the cause.
    const watchExit = (who: string, exit: Promise<never>) => exit.catch((error: unknown) => void (isAgtestError(error) && exits.push({ who, error })));

    try {
      let ready: Record<string, unknown> | undefined;
      const fatal: Promise<never>[] = [aborted];
      if (config.agent.command) {
        clock.enter('agent start');
        const agent = await Promise.race([
          startAgentProcess(resolveCommand(fillCommand(config.agent.command, undefined, 'agent.command')), {
            readyTimeoutMs: config.agent.readyTimeoutMs,
            cwd: config.baseDir,
            log: (line) => log(`[agent] ${line}`),
            stderrFile: logs.agentPath,
            onStderr: (line) => logs.agent.write(`${redact(line)}\n`),
          }),
          aborted,
        ]);
        cleanups.push(() => agent.stop());
        ready = agent.ready;
        fatal.push(agent.unexpectedExit);
        watchExit('agent', agent.unexpectedExit);
      }
      agentInfo = {
        name: config.agent.name ?? stringField(ready, 'agent') ?? stringField(ready, 'name'),
        version: config.agent.version ?? stringField(ready, 'version'),
      };
      const target = fillTemplate(config.agent.endpoint, ready, 'agent.endpoint');
      const agactCommand = config.agact ? resolveCommand(fillCommand(config.agact.command, ready, 'agact.command')) : undefined;
      const agact = agactCommand && config.agact
        ? createAgactClient({ command: agactCommand, timeoutMs: config.agact.timeoutMs, cwd: config.baseDir, session: config.agact.session ?? false, ...(options.signal ? { signal: options.signal } : {}), log: (line) => log(`[agact] ${line}`) })
        : undefined;
      if (agact) cleanups.push(() => agact.close());
      clock.enter('adapter start');
      // Started now, it overlaps the adapter's start instead of adding to the first test's time.
      agact?.start();
      const adapterArgs = fillCommand(config.transport.args, ready, 'transport.args');
      const adapterCommand = config.transport.command
        ? resolveCommand(fillCommand(config.transport.command, ready, 'transport.command'))
        : resolveCommand([`agtest-adapter-${config.transport.adapter}`]);

      const outboxDir = join(outDir, 'agtalk', 'outbox');
      const inboxDir = join(outDir, 'agtalk', 'inbox');
      const keys = await createKeyPair();
      const testKeys: KeyPair[] = [];
      const runConnection: RunTestDeps['runConnection'] = {};
      const meantToBeRefused = new Set<string>();
      const sentBy = new Map<string, string>();
      const strays = new Transcript(join(outDir, 'transcripts', '_outside-tests'), redact);
      await strays.open();
      cleanups.push(() => strays.close());
      const deliver = createInboundDelivery({ keys, testKeys, active: () => active, sentBy, strays, addFinding, log });

      const reader = await watchMessages(inboxDir, {
        onMessage: deliver,
        onGarbage: (garbage) => void addFinding({ kind: 'garbage', message: `${garbage.name}: ${garbage.reason}`, file: garbage.name, test: active?.test }),
        onError: (error) => void addFinding({ kind: 'inbox-error', message: error.message, file: error.file, test: active?.test }),
        garbageDir: join(outDir, 'transcripts', '_garbage'),
      });
      cleanups.push(() => reader.close());
      const outbox = await createMessageWriter(outboxDir);
      // A test still running when the run stops (the agent or adapter died) must not publish a
      // message after the outbox is read for unsent files below.
      cleanups.push(() => outbox.close());

      const adapterName = config.transport.command ? config.transport.command.join(' ') : config.transport.adapter;
      let stoppingAdapter = false;
      const adapter = await launchAdapter({
        name: adapterName,
        command: [...adapterCommand, ...adapterArgs],
        outbox: outboxDir,
        inbox: inboxDir,
        target,
        onEvent: (event: AdapterEvent) => {
          active?.transcript.add({ kind: 'adapter', event });
          if (event.type !== 'ready') active?.deliverEvent(event);
          if (event.type === 'undeliverable' && !meantToBeRefused.has(event.file)) void addFinding({ kind: 'undeliverable', message: `adapter could not deliver ${event.file}${event.status ? ` (HTTP ${event.status})` : ''}: ${event.reason}`, file: event.file, test: active?.test });
          if (event.type === 'possible-duplicate') void addFinding({ kind: 'possible-duplicate', message: `adapter may have delivered ${event.file} twice (it restarted mid-send)`, file: event.file, test: active?.test });
          if (event.type === 'warning') void addFinding({ kind: 'adapter-warning', message: event.message, test: active?.test });
        },
        onLog: (line) => {
          logs.adapter.write(`${redact(line)}\n`);
          log(`[adapter] ${line}`);
        },
        cwd: config.baseDir,
        // In the environment, not argv: other users' `ps` shows a process's arguments.
        ...(credentials ? { env: { [A2A_CREDENTIALS_ENV]: JSON.stringify(credentials) } } : {}),
      });
      cleanups.push(async () => {
        stoppingAdapter = true;
        await adapter.stop();
      });
      const adapterExit = adapter.exited.then((exit): never => {
        if (stoppingAdapter) return new Promise<never>(() => undefined) as never;
        // An adapter's last stderr line is its own account of a fatal error (adapters/README.md).
        throw new AgtestError('AGTEST_ADAPTER_EXITED', `adapter ${adapterName} exited (${exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.exitCode ?? '?'}`})${exit.stderrTail ? `: ${exit.stderrTail.trim().split('\n').pop()}` : ''} (its stderr: ${logs.adapterPath})`, { adapter: adapterName });
      });
      fatal.push(adapterExit);
      watchExit('adapter', adapterExit);
      const fatalAny = Promise.race(fatal);
      fatalAny.catch(() => undefined);

      clock.enter('preflight');
      await Promise.race([a2a ? reachA2aAgent(target) : preflight(target), fatalAny]);
      const endpoint = adapter.endpoint ?? '';
      for (const reporter of reporters) {
        await reporter.onRunStart?.({ suiteUri, agent: agentInfo, transport, junctions: [...new Set(planned.map((p) => p.junction))], tests: planned.length, outDir });
      }
      let backchannelFailures = 0;
      clock.enter('tests');
      for (const test of planned) {
        progress.test = test.name;
        const running = runTest(test, {
          outbox,
          endpoint,
          target,
          transport,
          suite: suiteUri,
          measured: () => Object.fromEntries(scoreResults(results).flatMap((s) => (s.score === undefined ? [] : [[s.junction, s.score]]))),
          claims: claimed,
          ...(agact ? { agact } : {}),
          timeouts: config.timeouts,
          keys,
          testKeys,
          runConnection,
          meantToBeRefused,
          sentBy,
          outDir,
          testMs: config.timeouts.testMs,
          fatal: fatalAny,
          setActiveSession: (session) => {
            active = session;
          },
          settleInbox: () => reader.settled(),
          progress,
          redact,
        });
        running.catch(() => undefined);
        // The agent, the adapter or Ctrl-C can end the run in any phase, not only inside a test's body.
        const outcome = await Promise.race([running, fatalAny]);
        const { backchannelError, timing } = outcome;
        const result = redactResult(outcome.result, redact);
        if (timing) testTimings.set(test.name, timing);
        if (backchannelError) {
          // A dead agent makes its backchannel fail too: the death is the cause, not this call.
          await firstExit(exits, ROOT_CAUSE_GRACE_MS);
          if (exits.length > 0) throw backchannelError;
          backchannelFailures += 1;
          if (backchannelFailures >= BACKCHANNEL_FAILURE_LIMIT) {
            results.push(result);
            for (const reporter of reporters) await reporter.onTestResult?.(result);
            throw new AgtestError('AGTEST_AGACT_BROKEN', `the backchannel failed ${BACKCHANNEL_FAILURE_LIMIT} calls in a row; the last: ${backchannelError.message}`, { test: test.name, ...(backchannelError.command ? { command: backchannelError.command } : {}) });
          }
        } else backchannelFailures = 0;
        results.push(result);
        for (const reporter of reporters) await reporter.onTestResult?.(result);
      }
      progress.phase = 'finish';
      progress.test = undefined;
      const { files: over, bytes: overBytes } = reader.quarantineOverflow;
      if (over > 0) await addFinding({ kind: 'garbage-not-kept', message: `${over} garbage files (${overBytes} bytes) were over the quarantine cap (${DEFAULT_GARBAGE_CAP.perFileBytes} bytes per file, ${DEFAULT_GARBAGE_CAP.totalBytes} in all): reported above, not kept in transcripts/_garbage` });
    } catch (error) {
      const cause = await rootCause(error, exits, progress);
      interruption = { ...cause, cause: redact(cause.cause) };
    } finally {
      clock.enter('stop');
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((error: unknown) => log(`[agtest] cleanup failed: ${describeError(error)}`));
      }
      await logs.close();
    }
    // Nothing sent is lost silently: a message the adapter never took (it died, the run stopped) is named.
    for (const name of await readdir(join(outDir, 'agtalk', 'outbox')).catch(() => [] as string[])) {
      if (name.startsWith('.')) continue;
      findings.push({ kind: 'unsent', message: `${name} was never delivered: the run ended before the adapter took it from the outbox`, file: name });
    }

    // Whatever stopped the run, what was measured is written: the tests not reached are listed as such.
    if (interruption) {
      const reached = new Set(results.map((r) => r.test));
      for (const test of planned) {
        if (reached.has(test.name)) continue;
        const reason = `not run: the run was interrupted${test.name === interruption.test ? ` during this test's ${interruption.phase}` : ''} (${interruption.code})`;
        results.push({ test: test.name, status: 'not-run', reason, spec: test.test.spec, warnings: [], durationMs: 0 });
      }
    }
    {
      results.splice(0, results.length, ...confirmBlocks(results));
      const scores = scoreResults(results, musts);
      const scored = scores.filter((s) => s.score !== undefined);
      const coverage = Object.fromEntries(scored.flatMap((s) => (s.musts ? [[s.junction, { musts: s.musts.total, checked: s.musts.checked }]] : [])));
      const profile: InteropProfile = {
        test_suite: suiteUri,
        profile: Object.fromEntries(scored.map((s) => [s.junction, s.score!])),
        ...(Object.keys(coverage).length > 0 ? { coverage } : {}),
        agent: agentInfo,
        generated: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        transport,
        results,
        findings,
        ...(interruption ? { interrupted: interruption } : {}),
      };
      const checked = validateProfile(profile);
      if (!checked.valid) {
        throw new AgtestError('AGTEST_PROFILE_INVALID', `agtest built a profile its own schema rejects: ${checked.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
      }
      // An A2A agent claims through its card, and agtest claims every A2A junction for it: a
      // junction its card does not declare (every test not-run) is not part of what it claims.
      const runJunctions = [...new Set(planned.map((p) => p.junction))].filter((junction) => !a2a || results.some((r) => r.status !== 'not-run' && r.test.startsWith(`${junction}.`)));
      const nothingTested = results.every((r) => r.status === 'not-run' || r.status === 'blocked');
      const files = { profile: join(outDir, 'profile.json'), junit: join(outDir, 'junit.xml'), transcripts: join(outDir, 'transcripts') };
      clock.enter('write profile');
      try {
        await output.writeResult('profile.json', `${JSON.stringify(profile, null, 2)}\n`);
        await output.writeResult('junit.xml', formatJunitXml(scores, results, findings, suiteUri));
        if (credentials) await scrubFolder(outDir, redact);
      } catch (cause) {
        throw new AgtestError('AGTEST_OUTPUT_FAILED', `cannot write the profile to ${outDir}: ${describeError(cause)}`, { file: files.profile, cause });
      }
      clock.end();
      const summary: RunSummary = {
        profile,
        scores,
        results,
        findings,
        claimed: runJunctions,
        exitCode: interruption ? interruptionExitCode(interruption) : !nothingTested && runJunctions.every((junction) => verdictOf(profile.profile[junction]) === 'interoperable') ? 0 : 1,
        nothingTested,
        ...(interruption ? { interrupted: interruption } : {}),
        outDir,
        files,
        durationMs: Math.round(performance.now() - started),
        timing: { stages: clock.stages, junctions: junctionTimings(results, testTimings) },
      };
      for (const reporter of reporters) await reporter.onRunEnd?.(summary);
      return summary;
    }
  }
}


/**
 * An A2A agent that cannot be reached at all is a harness error (exit 2), not 50 failed tests:
 * any HTTP answer at the address given (its base URL or its card's URL) will do; the card tests
 * judge what is served, and where.
 */
async function reachA2aAgent(address: string): Promise<void> {
  const url = new URL(address);
  // node:http, not fetch: fetch refuses some ports outright ("bad port") where the adapter would connect.
  // Under agtest serve: the target allowlist and the checked addresses hold for this probe too (connect-guard.ts).
  const guard = connectGuardFromEnv();
  const offList = guard?.refusal(url);
  if (offList) throw new AgtestError('AGTEST_AGENT_UNREACHABLE', `cannot reach the A2A agent at ${address}: ${offList}`);
  const problem = await new Promise<string | undefined>((resolve) => {
    const request = (url.protocol === 'https:' ? httpsGet : httpGet)(url, guard ? { lookup: guard.lookup } : {}, (response) => {
      response.resume();
      resolve(undefined);
    });
    request.setTimeout(10_000, () => request.destroy(new Error('no answer within 10000 ms')));
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  if (problem) throw new AgtestError('AGTEST_AGENT_UNREACHABLE', `cannot reach the A2A agent at ${address} (GET ${url.pathname}: ${problem})`);
}

function stringField(object: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' ? value : undefined;
}
