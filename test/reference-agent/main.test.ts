import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { builtinCommand } from '../../common/index.js';

/** The compiled program, as agtest starts it (npm test builds first). */
function startMain(args: string[]) {
  const [node, script] = builtinCommand('agtest-reference-agent');
  return spawn(node!, [script!, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

t.test('prints one ready line, serves, and exits 0 on SIGTERM', async (t) => {
  const child = startMain(['--faults', 'wrong-thid,no-l10n']);
  t.teardown(() => void child.kill('SIGKILL'));
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const ready = JSON.parse(line) as Record<string, unknown>;
  t.match(ready, { ready: true, agent: 'agtest-reference-agent', version: '0.1.0', endpoint: /^http:\/\/127\.0\.0\.1:\d+\/$/, backchannel: /^http:\/\/127\.0\.0\.1:\d+\/$/ });
  t.same(ready['faults'], ['wrong-thid', 'no-l10n']);
  const response = await fetch(String(ready['backchannel']), { method: 'POST', body: JSON.stringify({ action: 'received', params: {} }) });
  t.same(await response.json(), { messages: [] });
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 0);
  t.equal(stdout.trim().split('\n').length, 1, 'exactly one stdout line');
});

t.test('an unknown fault exits 2 listing the known ones', async (t) => {
  const child = startMain(['--faults', 'nope']);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 2);
  t.match(stderr, /unknown fault\(s\): nope/);
  t.match(stderr, /wrong-thid: /);
});

t.test('--transport picks what the DIDComm endpoint speaks; an unknown one exits 2', async (t) => {
  for (const [transport, endpoint] of [
    ['ws', /^ws:\/\/127\.0\.0\.1:\d+\/$/],
    ['smtp', /^smtp:\/\/127\.0\.0\.1:\d+\/agent@reference-agent\.invalid$/],
  ] as const) {
    const child = startMain(['--transport', transport]);
    t.teardown(() => void child.kill('SIGKILL'));
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    t.match(JSON.parse(line), { ready: true, endpoint }, `${transport} endpoint`);
    child.kill('SIGTERM');
    t.equal(((await once(child, 'exit')) as [number | null])[0], 0, `${transport}: exits 0 on SIGTERM`);
  }
  const bad = startMain(['--transport', 'pigeon']);
  let stderr = '';
  bad.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  t.equal(((await once(bad, 'exit')) as [number | null])[0], 2);
  t.match(stderr, /--transport must be one of http, ws, smtp, got "pigeon"/);
});
