// The README's A2A example caller (examples/serve/primary-assistant.mjs) runs against a real
// `agtest serve` on loopback, its target a loopback server: it must print the streamed progress
// and the result, and exit 0 only when the task completed.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import t from 'tap';
import { startLoadServer } from '../helpers/load-server.js';
import { startHarness } from './helpers.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/serve/primary-assistant.mjs', import.meta.url));

t.test('the primary-assistant example completes a generate_and_execute over A2A', async (t) => {
  const target = await startLoadServer({ '/.well-known/agent-card.json': (_, res) => res.end('{}') });
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  const run = await execa(process.execPath, [EXAMPLE, h.service.url, target.url], { env: { AGTEST_KEY: h.key }, reject: false, timeout: 30_000 });
  t.equal(run.exitCode, 0, run.stderr);
  t.match(run.stdout, /\[submitted\] accepted as request/);
  t.match(run.stdout, /\[working\]/);
  t.match(run.stdout, /\[artifact result\.json\] requests completed: [1-9]\d*, ok: [1-9]\d*, errors: 0, p99: \d+(\.\d+)? ms/);
  t.match(run.stdout, /\[artifact plan\.jmx\] \d+ characters/);
  t.match(run.stdout, /final state: completed/);
  t.ok(target.requests > 0, 'the load reached the loopback target');
});

t.test('the example fails clearly with a wrong key (the service refuses it)', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const run = await execa(process.execPath, [EXAMPLE, h.service.url, 'http://127.0.0.1:9'], { env: { AGTEST_KEY: 'agk_wrong' }, reject: false, timeout: 30_000 });
  t.not(run.exitCode, 0);
  t.match(run.stderr, /^agtest serve refused or failed: the API key is unknown or revoked/m);
});
