import t from 'tap';
import { runCli } from '../helpers/cli.js';

t.test('a mediator that denies mediation (reference mediator, fault mediate-deny): exit 2, the error names the agent and the step', async (t) => {
  const run = await runCli(['load', 'topology', '--fault', 'mediate-deny', '--agents', '2', '--messages', '2', '--topologies', 'star', '--intervals', '20', '--timeout', '2s']);
  t.equal(run.exitCode, 2, run.stderr);
  t.match(run.stderr, /AGTEST_LOAD_ROUTER_FAILED/);
  t.match(run.stderr, /virtual agent \d+: mediate-request failed: the mediator denied mediation \(mediate-deny\)/);
});

t.test('the same sweep without the fault sets up and answers every ping (the check can pass)', async (t) => {
  const run = await runCli(['load', 'topology', '--agents', '2', '--messages', '2', '--topologies', 'star', '--intervals', '20', '--timeout', '2s', '--json']);
  t.equal(run.exitCode, 0, run.stderr);
  t.equal((JSON.parse(run.stdout) as { summary: { answered: number } }).summary.answered, 2);
});
