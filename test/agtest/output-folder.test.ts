import { execa } from 'execa';
import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { InteropProfile } from '../../profiles/index.js';
import { processesWithMark, runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';

// The output folder tells the truth (issue 23): one run at a time, and never an older verdict
// beside a newer run's.
const CONFIG = {
  agent: { command: ['agtest-reference-agent'], endpoint: '${ready.endpoint}' },
  transport: { adapter: 'http' },
  agact: { command: ['agact-http', '--url', '${ready.backchannel}'] },
  claims: ['trust_ping.1_0.passive'],
  timeouts: { testMs: 15_000, messageMs: 5_000, silenceMs: 300 },
};

t.test('a failed run replaces the previous run’s results, it never sits beside them', (t) =>
  withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const good = join(dir, 'good.json');
    const broken = join(dir, 'broken.json');
    await writeFile(good, JSON.stringify(CONFIG));
    await writeFile(broken, JSON.stringify({ ...CONFIG, agent: { ...CONFIG.agent, command: ['no-such-agent-command-xyz'] } }));
    const first = await runCli(['run', '--config', good, '--out', out], { cwd: dir });
    t.equal(first.exitCode, 0);
    t.ok((await readdir(join(out, 'transcripts'))).length > 0, 'the first run left transcripts');
    const second = await runCli(['run', '--config', broken, '--out', out], { cwd: dir });
    t.equal(second.exitCode, 2);
    const profile = JSON.parse(await readFile(join(out, 'profile.json'), 'utf8')) as InteropProfile;
    t.equal(profile.interrupted?.code, 'AGTEST_AGENT_START_FAILED', 'profile.json is the failed run’s');
    t.same(profile.profile, {}, 'no score survives from the first run');
    t.notMatch(await readFile(join(out, 'junit.xml'), 'utf8'), /<testcase[^>]*>\s*<\/testcase>/, 'junit.xml holds no passing test of the first run');
    t.same(await readdir(join(out, 'transcripts')), [], 'the old transcripts are gone');
    t.same((await readdir(out)).filter((name) => name.endsWith('.tmp') || name === '.agtest.lock'), [], 'no temporary file or lock left');
  }),
);

t.test('a second run on a folder in use refuses at once, naming the holder; a stale lock is taken over', (t) =>
  withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const config = join(dir, 'agtest.config.json');
    await writeFile(config, JSON.stringify(CONFIG));
    // A live holder: a process that stays up while the second run tries.
    const holder = execa(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    await execa('mkdir', ['-p', out]);
    await writeFile(join(out, '.agtest.lock'), `${holder.pid}\n`);
    const refused = await runCli(['run', '--config', config, '--out', out], { cwd: dir });
    t.equal(refused.exitCode, 2);
    t.match(String(refused.stderr), new RegExp(`output folder .*out is in use by another agtest run \\(pid ${holder.pid}\\).*\\[AGTEST_OUTPUT_LOCKED\\]`));
    t.equal(String(refused.stderr).trim().split('\n').length, 1, 'one line');
    t.same(await processesWithMark(refused.mark), [], 'it started nothing');
    await t.rejects(access(join(out, 'profile.json')), 'and wrote nothing');
    holder.kill();
    await holder.catch(() => undefined);
    // The holder is gone: its lock is stale, and the next run takes the folder.
    const next = await runCli(['run', '--config', config, '--out', out], { cwd: dir });
    t.equal(next.exitCode, 0);
    await t.rejects(access(join(out, '.agtest.lock')), 'the lock is released at the end');
  }),
);
