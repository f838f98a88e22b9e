// The reference A2A agent and a real third-party peer (@a2a-js/sdk@1.3.0, once v1.0 only, once
// with its 0.3 compatibility) are certified, and each profile must equal the one committed under
// profiles/ (the README shows them). AGTEST_UPDATE_PROFILE=1 rewrites those files from the runs.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { a2aAgentConfig, referenceA2aAgentConfig, run, type HarnessConfig, type RunSummary } from '../../agtest/index.js';
import { verdictOf } from '../../profiles/index.js';
import { A2A_SUITE_URI } from '../../suites/index.js';
import { matchesCommitted } from '../helpers/committed-profile.js';
import { FAST_TIMEOUTS, withTempDir } from '../helpers/reference-run.js';

const SDK_AGENT = fileURLToPath(new URL('./fixtures/sdk-echo-agent.mjs', import.meta.url));

function sdkConfig(...flags: ('--legacy' | '--tasks')[]): HarnessConfig {
  const base = a2aAgentConfig('${ready.endpoint}');
  return { ...base, agent: { ...base.agent, command: [process.execPath, SDK_AGENT, ...flags] }, source: `@a2a-js/sdk echo agent ${flags.join(' ')}` };
}

async function certify(config: HarnessConfig, keep?: (outDir: string, summary: RunSummary) => Promise<void>): Promise<RunSummary> {
  return withTempDir(async (outDir) => {
    const summary = await run({ config: { ...config, timeouts: FAST_TIMEOUTS }, outDir });
    await keep?.(outDir, summary);
    return summary;
  });
}

t.test('the reference A2A agent is interoperable in every A2A junction, v1.0 and v0.3', async (t) => {
  const sent: { test: string; body: string }[] = [];
  const summary = await certify(referenceA2aAgentConfig(), async (outDir) => {
    for (const test of await readdir(join(outDir, 'transcripts'))) {
      if (test.startsWith('_')) continue;
      for (const name of await readdir(join(outDir, 'transcripts', test))) {
        if (!/^\d+-sent-.*\.json$/.test(name)) continue;
        const request = JSON.parse(await readFile(join(outDir, 'transcripts', test, name), 'utf8')) as { body?: string };
        if (request.body !== undefined) sent.push({ test, body: request.body });
      }
    }
  });
  t.equal(summary.exitCode, 0, `all interoperable: ${JSON.stringify(summary.results.filter((r) => r.status === 'fail').map((r) => [r.test, r.reason]))}`);
  t.equal(Object.keys(summary.profile.profile).length, 12, 'card, jsonrpc, message, tasks, streaming and push, in both versions');
  t.ok(Object.values(summary.profile.profile).every((score) => verdictOf(score) === 'interoperable'));
  t.same(summary.findings, [], 'no findings');
  await matchesCommitted(t, 'reference-a2a-agent.json', summary, A2A_SUITE_URI);

  // The A2A TCK sends its negative tests as notifications, which a correct server must not answer.
  t.ok(sent.length > 40, `${sent.length} request bodies sent`);
  const notifications = sent.filter(({ body }) => {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      return typeof parsed === 'object' && parsed !== null && !('id' in parsed);
    } catch {
      return false;
    }
  });
  t.same([...new Set(notifications.map((n) => n.test))].sort(), ['a2a.v0_3.jsonrpc.passive.notification-unanswered', 'a2a.v1_0.jsonrpc.passive.notification-unanswered'], 'the only requests without an id are the notification tests');
});

t.test('the minimal reference A2A agent (no streaming, no push) is interoperable, and unclaimed capabilities are refused', async (t) => {
  const summary = await certify(referenceA2aAgentConfig({ minimal: true }));
  t.equal(summary.exitCode, 0, JSON.stringify(summary.results.filter((r) => r.status === 'fail').map((r) => [r.test, r.reason])));
  t.notOk('a2a.v1_0.streaming.passive' in summary.profile.profile, 'streaming is not claimed, so it is not in the profile');
  t.notOk('a2a.v1_0.push.passive' in summary.profile.profile, 'push is not claimed, so it is not in the profile');
  for (const test of ['a2a.v1_0.jsonrpc.passive.streaming-unclaimed-refused', 'a2a.v0_3.jsonrpc.passive.push-unclaimed-refused']) {
    t.equal(summary.results.find((r) => r.test === test)?.status, 'pass', `${test} ran and passed`);
  }
  const streaming = summary.results.find((r) => r.test === 'a2a.v1_0.streaming.passive.events');
  t.equal(streaming?.status, 'not-run', 'a capability not claimed is not-run, never passed');
  t.match(streaming?.reason ?? '', /does not claim streaming/);
  // The claim probes (set-config, events) are for a card that claims the capability: without the claim, no streaming or
  // push test probes, fails or is blocked; each is not-run, naming what the card does not claim.
  const unclaimed = summary.results.filter((r) => /^a2a\.v(1_0|0_3)\.(streaming|push)\.passive\./.test(r.test));
  t.equal(unclaimed.length, 18, 'every streaming and push test of both versions is listed');
  t.same(unclaimed.filter((r) => r.status !== 'not-run' || !/does not claim (streaming|push notifications)/.test(r.reason ?? '')).map((r) => [r.test, r.status, r.reason]), [], 'each is not-run: the card does not claim it');
});

t.test('@a2a-js/sdk 1.3.0 echo agent (v1.0 only) is certified and matches its committed profile', async (t) => {
  const summary = await certify(sdkConfig());
  t.same(summary.findings, [], 'no findings');
  t.notOk(Object.keys(summary.profile.profile).some((junction) => junction.startsWith('a2a.v0_3.')), 'no 0.3 interface on the card: no 0.3 junction');
  const invalid = summary.results.find((r) => r.test === 'a2a.v1_0.jsonrpc.passive.invalid-request');
  t.equal(invalid?.status, 'fail', 'a request without method: the SDK answers -32602, JSON-RPC 2.0 requires -32600');
  t.match(invalid?.reason ?? '', /expected error -32600, got -32602/);
  t.equal(summary.results.find((r) => r.test === 'a2a.v1_0.jsonrpc.passive.notification-unanswered')?.status, 'fail', 'the SDK answers notifications');
  t.equal(summary.results.find((r) => r.test === 'a2a.v1_0.tasks.passive.get')?.status, 'not-run', 'an echo agent that answers with Messages has no task to get: not-run');
  await matchesCommitted(t, 'a2a-js-sdk-1.3.0.json', summary, A2A_SUITE_URI);
});

t.test('@a2a-js/sdk 1.3.0 echo agent with legacyCompat (v1.0 + v0.3) is certified and matches its committed profile', async (t) => {
  const summary = await certify(sdkConfig('--legacy'));
  t.same(summary.findings, [], 'no findings');
  t.ok(Object.keys(summary.profile.profile).some((junction) => junction.startsWith('a2a.v0_3.')), 'the 0.3 interface is certified too');
  t.equal(summary.results.find((r) => r.test === 'a2a.v0_3.jsonrpc.passive.invalid-request')?.status, 'pass', 'in 0.3 (no A2A-Version header) the SDK answers -32600');
  await matchesCommitted(t, 'a2a-js-sdk-1.3.0-legacy.json', summary, A2A_SUITE_URI);
});

t.test('@a2a-js/sdk 1.3.0 task agent (Tasks, streaming, push; with legacyCompat) is certified and matches its committed profile', async (t) => {
  const summary = await certify(sdkConfig('--tasks', '--legacy'));
  t.same(summary.findings, [], 'no findings');
  for (const junction of ['a2a.v1_0.streaming.passive', 'a2a.v0_3.streaming.passive']) {
    t.equal(verdictOf(summary.profile.profile[junction]), 'interoperable', `${junction}: the real SDK passes agtest's checks`);
  }
  // It creates a push config without url (a2a.proto: url REQUIRED; v1.0 §5.7: implementations SHOULD reject it): a warning; every push check passes.
  const pushFailing = summary.results.filter((r) => r.test.startsWith('a2a.v1_0.push.') && r.status === 'fail');
  t.same(pushFailing.map((r) => r.test), [], 'no v1.0 push check fails');
  const urlRequired = summary.results.find((r) => r.test === 'a2a.v1_0.push.passive.config-url-required');
  t.equal(urlRequired?.status, 'pass', 'the config without url is taken: a SHOULD');
  t.match(urlRequired?.warnings.join(' ') ?? '', /without url for task .*: expected JSON-RPC error -32602, got a result.*\[SHOULD, A2A v1\.0 §5\.7/);
  for (const test of ['config-unknown-task', 'config-delete-idempotent', 'delivers-credentials'].map((name) => `a2a.v1_0.push.passive.${name}`)) {
    t.equal(summary.results.find((r) => r.test === test)?.status, 'pass', `${test} ran and passed`);
  }
  const listTests = ['list', 'list-pagination', 'list-default-page-size', 'list-filters', 'list-history-length', 'list-artifacts'].map((name) => `a2a.v1_0.tasks.passive.${name}`);
  for (const test of ['a2a.v1_0.tasks.passive.get', 'a2a.v1_0.tasks.passive.cancel', ...listTests, 'a2a.v1_0.streaming.passive.events', 'a2a.v1_0.push.passive.delivers', 'a2a.v1_0.push.passive.config-unknown']) {
    t.equal(summary.results.find((r) => r.test === test)?.status, 'pass', `${test} ran and passed`);
  }
  // Its executor stamps no status timestamp (optional), and the SDK's InMemoryTaskStore then orders by task id.
  const order = summary.results.find((r) => r.test === 'a2a.v1_0.tasks.passive.list-order');
  t.equal(order?.status, 'fail', 'ListTasks is not most recently updated first');
  t.match(order?.reason ?? '', /the last updated first is/);
  // It refuses pageSize 0, -1 and 150, an unknown status, a foreign token and a bad timestamp, but serves historyLength -1.
  const invalid = summary.results.find((r) => r.test === 'a2a.v1_0.tasks.passive.list-invalid-params');
  t.equal(invalid?.status, 'fail', 'a negative historyLength is served');
  t.same(invalid?.failures?.map((failure) => /with (\{.*?\}):/.exec(failure)?.[1]), ['{"historyLength":-1}'], 'historyLength -1 is the only invalid parameter served');
  const push03 = summary.results.find((r) => r.test === 'a2a.v0_3.push.passive.delivers');
  t.equal(push03?.status, 'fail', 'a task created over 0.3 is notified in the 1.0 form');
  t.match(push03?.reason ?? '', /created over A2A 0\.3, but its push notifications come in A2A 1\.0's form/);
  await matchesCommitted(t, 'a2a-js-sdk-1.3.0-tasks.json', summary, A2A_SUITE_URI);
});
