// Credentials for an A2A agent (--a2a-header, --a2a-header-env, agent.headers): an agent that
// requires a bearer token its card declares is blocked for credentials without them (never
// failed), certified interoperable with them, blocked with a clear reason for wrong ones; an
// agent that requires a token its card does not declare fails one test per version. No secret
// ever reaches the output folder, the console or the logs, even when the agent quotes it back.
// One reference A2A agent (in-process) serves the whole file.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { a2aAgentConfig, run, type HarnessConfig, type RunSummary } from '../../agtest/index.js';
import { normalizeConfig } from '../../agtest/config/load-config.js';
import { createConsoleReporter } from '../../agtest/reporters/console-reporter.js';
import { startReferenceA2aAgent } from '../../reference-agent/index.js';
import { verdictOf } from '../../profiles/index.js';
import { FAST_TIMEOUTS, withTempDir } from '../helpers/reference-run.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'tok-7f3c9a1e5b2d4c6a8e0f';
const WRONG = 'wrong-0b1c2d3e4f5a6b7c';

const agent = await startReferenceA2aAgent({ requireToken: TOKEN });
t.teardown(() => agent.close());

/** Every file under `dir`, as text. */
async function allText(dir: string): Promise<string> {
  const texts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) texts.push(await allText(path));
    else if (entry.isFile()) texts.push(await readFile(path, 'utf8'));
  }
  return texts.join('\n');
}

/** A run with a console reporter and a log sink: returns the summary, and everything it wrote anywhere. */
async function certify(config: HarnessConfig): Promise<{ summary: RunSummary; written: string }> {
  let console = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      console += chunk.toString('utf8');
      done();
    },
  });
  const logs: string[] = [];
  return withTempDir(async (outDir) => {
    const summary = await run({ config: { ...config, timeouts: FAST_TIMEOUTS }, outDir, reporters: [createConsoleReporter({ stream, color: false })], log: (line) => logs.push(line) });
    return { summary, written: `${await allText(outDir)}\n${console}\n${logs.join('\n')}` };
  });
}

const withHeaders = (headers?: Record<string, string>): HarnessConfig => {
  const config = a2aAgentConfig(agent.endpoint);
  return headers ? { ...config, agent: { ...config.agent, headers } } : config;
};

t.test('without credentials: every test that needed a call is blocked for credentials, one account of why, nothing fails; exit 1', async (t) => {
  const { summary, written } = await certify(withHeaders());
  t.same(summary.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => [r.test, r.reason]), [], 'no test fails: a refusal for credentials is no protocol fault');
  const blocked = summary.results.filter((r) => r.status === 'blocked');
  t.ok(blocked.length > 50, `${blocked.length} tests blocked`);
  t.same([...new Set(blocked.map((r) => r.blockedBy))], ['credentials'], 'each by credentials');
  const access = summary.results.find((r) => r.test === 'a2a.v1_0.card.passive.access');
  t.equal(access?.status, 'blocked');
  t.match(access?.reason, /^the agent requires credentials \(card security: bearer, http bearer; oauth, OAuth 2\.0; key, API key in header X-Agtest-Key\) and refused agtest's GetTask call with HTTP 401 .*agtest was given no credentials: give them with --a2a-header 'Name: value' or --a2a-header-env Name=VARIABLE/);
  t.match(summary.results.find((r) => r.test === 'a2a.v1_0.message.passive.send-returns-task-or-message')?.reason, /refused with HTTP 401 for lack of credentials \(none sent\), see a2a\.v1_0\.card\.passive\.access/);
  t.equal(summary.results.find((r) => r.test === 'a2a.v1_0.card.passive.served')?.status, 'pass', 'the card is public and judged');
  t.equal(summary.exitCode, 1, 'not interoperable: nothing past the card could be tested');
  for (const junction of ['a2a.v1_0.message.passive', 'a2a.v0_3.tasks.passive']) t.equal(summary.profile.profile[junction], undefined, `${junction}: no score`);
  t.match(written, /\d+ tests blocked for credentials: the agent requires credentials/, 'the console says it once, at the end');
});

t.test('with --a2a-header credentials: every claimed junction interoperable, and the token is nowhere in the output', async (t) => {
  const { summary, written } = await certify(withHeaders({ Authorization: `Bearer ${TOKEN}` }));
  t.same(summary.results.filter((r) => r.status !== 'pass' && r.status !== 'not-run').map((r) => [r.test, r.status, r.reason]), [], 'nothing fails or is blocked');
  t.equal(summary.exitCode, 0);
  const junctions = Object.keys(summary.profile.profile);
  t.ok(junctions.length >= 12, `junctions scored: ${junctions.join(', ')}`);
  for (const [junction, score] of Object.entries(summary.profile.profile)) t.equal(verdictOf(score), 'interoperable', `${junction} interoperable`);
  t.notOk(written.includes(TOKEN), 'the token is in no file of the output folder, no console line, no log line');
  t.match(written, /"credentials": ?\[\s*"authorization"\s*\]/, 'the transcripts say which credential went with each request, by name');
});

t.test('wrong credentials: blocked with a reason that says they were sent and refused; the token the agent quotes back is redacted everywhere', async (t) => {
  const { summary, written } = await certify(withHeaders({ Authorization: `Bearer ${WRONG}` }));
  t.same(summary.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.test), []);
  const access = summary.results.find((r) => r.test === 'a2a.v0_3.card.passive.access');
  t.equal(access?.status, 'blocked');
  t.match(access?.reason, /refused agtest's tasks\/get call with HTTP 401 .*unknown bearer token \\"\[redacted\]\\".*it carried the credentials given \(authorization\): check them/);
  t.equal(summary.exitCode, 1);
  t.notOk(written.includes(WRONG), 'the agent quoted the token in its 401 body: no file, console line or log line holds it');
  t.ok(written.includes('[redacted]'), 'where it was, it says so');
});

t.test('an agent that requires a token its card does not declare: card.passive.access fails once per version (A2A v1.0 §7.4 / v0.3 §4.4), the rest is blocked by it', async (t) => {
  const undeclared = await startReferenceA2aAgent({ faults: ['auth-undeclared'] });
  t.teardown(() => undeclared.close());
  const { summary } = await certify({ ...a2aAgentConfig(undeclared.endpoint), only: ['a2a.v1_0.card', 'a2a.v0_3.card', 'a2a.v1_0.tasks.passive.get-unknown'] });
  const failed = summary.results.filter((r) => r.status === 'fail');
  t.same(failed.map((r) => r.test).sort(), ['a2a.v0_3.card.passive.access', 'a2a.v1_0.card.passive.access']);
  t.match(failed[0]?.reason, /GetTask call was refused with HTTP 401 .* \(agtest was given no credentials\), but the agent card declares no security scheme.*\[MUST, A2A v1\.0 §7\.4/);
  const blocked = summary.results.find((r) => r.test === 'a2a.v1_0.tasks.passive.get-unknown');
  t.equal(blocked?.status, 'blocked');
  t.equal(blocked?.blockedBy, 'a2a.v1_0.card.passive.access');
});

t.test('agent.headers in a config: a value or {"env": NAME}, errors by key path that never quote a value', async (t) => {
  const base = { suite: 'a2a', agent: { endpoint: agent.endpoint }, transport: { adapter: 'a2a' }, claims: ['a2a.v1_0.card'] };
  const config = normalizeConfig({ ...base, agent: { ...base.agent, headers: { Authorization: { env: 'TOKEN_VAR' }, 'X-Api-Key': 'k' } } }, 'agtest.config.json', '.', { TOKEN_VAR: `Bearer ${TOKEN}` });
  t.same(config.agent.headers, { Authorization: `Bearer ${TOKEN}`, 'X-Api-Key': 'k' });
  const invalid = (headers: unknown, env: NodeJS.ProcessEnv = {}, suite = 'a2a') => {
    try {
      normalizeConfig({ ...base, suite, agent: { ...base.agent, headers } }, 'agtest.config.json', '.', env);
      return 'accepted';
    } catch (error) {
      return (error as Error).message;
    }
  };
  t.match(invalid({ Authorization: { env: 'UNSET_VAR' } }), /^agent\.headers\.Authorization\.env in agtest\.config\.json names the environment variable UNSET_VAR, which is not set/);
  t.match(invalid({ Authorization: 42 }), /^agent\.headers\.Authorization in agtest\.config\.json must be the header's value \(a non-empty string\) or \{"env": "VARIABLE"\}$/);
  t.match(invalid({ Authorization: { variable: 'X' } }), /^agent\.headers\.Authorization in agtest\.config\.json must be the header's value/);
  t.match(invalid({ 'Bad Name': 'x' }), /^agent\.headers\.Bad Name in agtest\.config\.json: "Bad Name" is not an HTTP header name$/);
  t.match(invalid({ Authorization: 'a', authorization: 'b' }), /agent\.headers\.authorization in agtest\.config\.json names the same header as agent\.headers\.Authorization/);
  t.match(invalid({ Authorization: `Bearer ${TOKEN}\r\nX: y` }), /holds a line break or NUL/);
  t.match(invalid({ Authorization: 'x' }, {}, 'didcomm-v1'), /agent\.headers in agtest\.config\.json is for A2A agents/);
  t.notMatch(invalid({ Authorization: `Bearer ${TOKEN}\r\n` }), new RegExp(TOKEN), 'no error quotes a value');
});

t.test('the CLI: --a2a-header-env reads the secret from the environment; bad flags are usage errors that never quote a value', async (t) => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const good = await runCli(['run', '--a2a', agent.endpoint, '--a2a-header-env', 'Authorization=AGTEST_TEST_TOKEN', '--only', 'a2a.v1_0.card', 'a2a.v1_0.tasks.passive.get-unknown', '-o', out], { env: { AGTEST_TEST_TOKEN: `Bearer ${TOKEN}` } });
    t.equal(good.exitCode, 0, good.stdout + good.stderr);
    t.match(good.stdout, /every claimed junction is interoperable/);
    t.notOk(`${good.stdout}${good.stderr}${await allText(out)}`.includes(TOKEN), 'the token is not in the output');
    const none = await runCli(['run', '--a2a', agent.endpoint, '--only', 'a2a.v1_0.card', 'a2a.v1_0.tasks.passive.get-unknown', '-o', join(dir, 'none')]);
    t.equal(none.exitCode, 1, 'without credentials: exit 1 (not interoperable, nothing past the card tested)');
    t.match(none.stdout, /tests blocked for credentials: the agent requires credentials/);
    const unset = await runCli(['run', '--a2a', agent.endpoint, '--a2a-header-env', 'Authorization=AGTEST_UNSET_VAR', '-o', join(dir, 'unset')]);
    t.equal(unset.exitCode, 2);
    t.match(unset.stderr, /--a2a-header-env Authorization=AGTEST_UNSET_VAR: the environment variable AGTEST_UNSET_VAR is not set/);
    const malformed = await runCli(['run', '--a2a', agent.endpoint, '--a2a-header', `Bearer ${TOKEN}`, '-o', join(dir, 'malformed')]);
    t.equal(malformed.exitCode, 2);
    t.match(malformed.stderr, /--a2a-header must be 'Name: value'/);
    t.notOk(malformed.stderr.includes(TOKEN), 'the malformed flag is not quoted back');
    const didcomm = await runCli(['run', '--a2a-header', 'Authorization: Bearer x', '-o', join(dir, 'didcomm')]);
    t.equal(didcomm.exitCode, 2);
    t.match(didcomm.stderr, /--a2a-header and --a2a-header-env give credentials to an A2A agent/);
  });
});

t.test('the redactor: the whole value, the token after its scheme, their JSON-escaped forms; a last sweep rewrites only files that hold one', async (t) => {
  const { createRedactor, scrubFolder } = await import('../../agtest/run/redact.js');
  const { mkdir, writeFile } = await import('node:fs/promises');
  const redact = createRedactor([`Bearer ${TOKEN}`, 'key "with" quotes']);
  t.equal(redact(`Authorization: Bearer ${TOKEN}`), 'Authorization: [redacted]');
  t.equal(redact(`unknown token ${TOKEN}.`), 'unknown token [redacted].', 'the token alone, as an agent quotes it');
  t.equal(redact(JSON.stringify({ got: 'key "with" quotes' })), '{"got":"[redacted]"}', 'inside a JSON string');
  t.equal(redact('Bearer is a word'), 'Bearer is a word', 'the scheme alone is no secret');
  t.equal(createRedactor([])('anything'), 'anything');
  await withTempDir(async (dir) => {
    await mkdir(join(dir, 'agtalk', 'inbox'), { recursive: true });
    await writeFile(join(dir, 'agtalk', 'inbox', '000001--x.json'), `{"body":"${TOKEN}"}`);
    await writeFile(join(dir, 'clean.json'), '{}');
    t.equal(await scrubFolder(dir, redact), 1, 'one file rewritten');
    t.equal(await readFile(join(dir, 'agtalk', 'inbox', '000001--x.json'), 'utf8'), '{"body":"[redacted]"}');
  });
});
