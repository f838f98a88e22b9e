import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { validateProfile } from '../../profiles/index.js';
import { withTempDir } from '../helpers/reference-run.js';
import { processesWithMark, runCli } from '../helpers/cli.js';

t.test('agtest run with no config certifies the built-in reference agent and leaves nothing running', (t) =>
  withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const result = await runCli(['run', '--out', out], { cwd: dir });
    t.equal(result.exitCode, 0, `exit 0 (stderr: ${String(result.stderr).slice(0, 300)})`);
    const stdout = String(result.stdout);
    t.match(stdout, /every claimed junction is interoperable/);
    t.notOk(stdout.includes('\u001b['), 'no color codes when NO_COLOR is set');
    const junctions = ['message.v1.passive', 'trust_ping.1_0.passive', 'trust_ping.1_0.active', 'basicmessage.1_0.passive', 'basicmessage.1_0.active', 'discover_features.1_0.passive', 'discover_features.1_0.active', 'out_of_band.1_1.active', 'out_of_band.1_1.passive', 'didexchange.1_1.passive', 'didexchange.1_1.active', 'transport.http.passive', 'transport.http.active', 'envelope.rfc0019.passive', 'envelope.rfc0019.active', 'coordinate_mediation.1_0.passive', 'routing.1_0.passive', 'pickup.2_0.passive', 'meta.1_0.passive'];
    for (const junction of junctions) {
      t.match(stdout, new RegExp(`${junction.replace(/\./g, '\\.')}\\s+interoperable`), `${junction} printed as interoperable`);
    }
    t.match(stdout, /out_of_band\.1_1\.active\s+interoperable \(\d+ of \d+ MUSTs checked\)/, 'a junction with unchecked MUSTs says so');
    t.match(stdout, /agtest coverage --junction \S+ --unchecked lists them/, 'and the report says where to read which');
    const profile: unknown = JSON.parse(await readFile(join(out, 'profile.json'), 'utf8'));
    const checked = validateProfile(profile);
    t.ok(checked.valid, `profile.json validates against the shipped schema ${JSON.stringify(checked.valid ? '' : checked.problems)}`);
    t.same(Object.keys((profile as { profile: object }).profile).sort(), [...junctions].sort(), 'every claimed junction scored, no other');
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    t.match(junit, /<testsuites name="agtest [^"]*" tests="55" failures="0" errors="0"/);
    const transcripts = (await readdir(join(out, 'transcripts'))).filter((name) => !name.startsWith('_'));
    t.equal(transcripts.length, 55, 'one transcript folder per test');
    const ping = JSON.parse(await readFile(join(out, 'transcripts', 'trust_ping.1_0.passive.responds', 'transcript.json'), 'utf8')) as { kind: string; file?: string }[];
    t.ok(ping.some((e) => e.kind === 'sent') && ping.some((e) => e.kind === 'received'), 'the transcript has the ping and its response');
    const received = ping.find((e) => e.kind === 'received')!;
    await access(join(out, 'transcripts', 'trust_ping.1_0.passive.responds', received.file!));
    // The test runs inside the DID exchange connection: the envelope's plaintext is kept beside it.
    const opened = JSON.parse(await readFile(join(out, 'transcripts', 'trust_ping.1_0.passive.responds', `${received.file!}.plaintext.json`), 'utf8')) as Record<string, unknown>;
    t.match(opened['@type'], /trust_ping\/1\.0\/ping_response$/, 'the opened plaintext is in the transcript');
    t.same(await processesWithMark(result.mark), [], 'no agent, adapter or agact process is left running');
  }),
);

t.test('--fault makes the run exit 1 and names the violation', (t) =>
  withTempDir(async (dir) => {
    const result = await runCli(['run', '--out', join(dir, 'out'), '--fault', 'wrong-thid', '--only', 'trust_ping.1_0.passive'], { cwd: dir });
    t.equal(result.exitCode, 1);
    t.match(String(result.stdout), /trust_ping\.1_0\.passive\s+constrained \(2 of 3\)/);
    t.match(String(result.stdout), /ping_response ~thread\.thid is "[^"]+", expected the ping @id/);
    t.same(await processesWithMark(result.mark), []);
  }),
);

t.test('--help explains every command', async (t) => {
  const top = await runCli(['--help']);
  t.equal(top.exitCode, 0);
  t.match(String(top.stdout), /agtest run/);
  t.match(String(top.stdout), /agtest list/);
  const run = await runCli(['run', '--help']);
  // yargs wraps the epilogue at the terminal's width, even inside words.
  const epilogue = String(run.stdout).replace(/\n/g, '');
  t.match(epilogue, /Exit codes: 0 every claimed junction is interoperable, 1 at least one is not \(or nothing could be tested[^)]*\), 2 the harness failed/);
  t.match(epilogue, /130 \/ 143 stopped by Ctrl-C \/ SIGTERM/);
  t.match(epilogue, /A run that stops early \(a fault, Ctrl-C\) still stops what it started and writes profile\.json/);
  t.match(String(run.stdout), /--fault/);
  const none = await runCli([]);
  t.equal(none.exitCode, 2, 'no command is a usage error');
  t.match(String(none.stderr), /Say which command to run/);
  const badChoice = await runCli(['profile', 'ask', 'http://127.0.0.1:9/', '-t', 'smtp']);
  t.equal(badChoice.exitCode, 2, 'a value outside the choices is a usage error');
  t.match(String(badChoice.stderr), /Invalid values:\s+Argument: transport, Given: "smtp", Choices: "http", "ws", "plain"/);
  t.match(String(badChoice.stderr), /--timeout-ms/, "the misused command's help follows");
  t.notMatch(String(badChoice.stderr), /function|cachedHelpMessage/, 'no source code in the message');
});

t.test('agtest list marks claimed junctions', async (t) => {
  const result = await runCli(['list']);
  t.equal(result.exitCode, 0);
  t.match(String(result.stdout), /trust_ping\.1_0\.passive\s+claimed/);
  t.match(String(result.stdout), /trust_ping\.1_0\.passive\.responds/);
  t.match(String(result.stdout), /Aries RFC 0048/);
});

t.test('agtest run --suite a2a certifies the built-in reference A2A agent; --a2a URL names an agent', (t) =>
  withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const result = await runCli(['run', '--suite', 'a2a', '--out', out], { cwd: dir });
    t.equal(result.exitCode, 0, `exit 0 (stderr: ${String(result.stderr).slice(0, 300)})`);
    t.match(String(result.stdout), /a2a\.v1_0\.streaming\.passive\s+interoperable/);
    t.match(String(result.stdout), /a2a\.v0_3\.tasks\.passive\s+interoperable/);
    const profile = JSON.parse(await readFile(join(out, 'profile.json'), 'utf8')) as { test_suite: string; profile: Record<string, string> };
    t.equal(profile.test_suite, 'urn:agtest:suite:a2a:0.7');
    t.equal(Object.keys(profile.profile).length, 12);
    t.same(await processesWithMark(result.mark), [], 'nothing left running');

    const faulty = await runCli(['run', '--suite', 'a2a', '--out', out, '--fault', 'answer-notifications', '--only', 'a2a.v1_0.jsonrpc'], { cwd: dir });
    t.equal(faulty.exitCode, 1, 'a fault of the reference A2A agent makes the run exit 1');
    t.match(String(faulty.stdout), /notification-unanswered: the agent replied to a notification/);

    const unreachable = await runCli(['run', '--a2a', 'http://127.0.0.1:1', '--out', out], { cwd: dir });
    t.equal(unreachable.exitCode, 2, 'an A2A agent that cannot be reached is a harness error');
    t.match(String(unreachable.stderr), /cannot reach the A2A agent at http:\/\/127\.0\.0\.1:1 .*ECONNREFUSED.*\[AGTEST_AGENT_UNREACHABLE\]/);

    const bad = await runCli(['run', '--a2a', 'ftp://x'], { cwd: dir });
    t.equal(bad.exitCode, 2);
    t.match(String(bad.stderr), /--a2a must be the agent's http\(s\) base URL or its Agent Card's URL/);
    const mixed = await runCli(['run', '--a2a', 'http://127.0.0.1:1', '--fault', 'wrong-thid'], { cwd: dir });
    t.equal(mixed.exitCode, 2);
    t.match(String(mixed.stderr), /cannot be combined/);
    const wrongFault = await runCli(['run', '--suite', 'a2a', '--fault', 'wrong-thid'], { cwd: dir });
    t.equal(wrongFault.exitCode, 2, 'a DIDComm fault is not an A2A fault');
    t.match(String(wrongFault.stderr), /unknown fault wrong-thid for the reference A2A agent/);
  }),
);

t.test('agtest list --rules prints every check with level and citation; docs/rules.md is that table', async (t) => {
  const text = await runCli(['list', '--rules']);
  t.equal(text.exitCode, 0);
  t.match(String(text.stdout), /^trust_ping\.1_0\.passive\.responds/m);
  const json = await runCli(['list', '--rules', '--format', 'json', '--suite', 'a2a']);
  const rows = JSON.parse(String(json.stdout)) as { test: string; level: string; cite: string }[];
  t.ok(rows.length > 0 && rows.every((row) => row.test.startsWith('a2a.') && row.cite.length > 0), 'A2A rows, each with a citation');
  const { rulesDocument } = await import('../../agtest/list/format-rules.js');
  const committed = await readFile(new URL('../../docs/rules.md', import.meta.url), 'utf8');
  t.equal(committed, rulesDocument(), 'docs/rules.md is up to date (npm run docs:rules)');
});
