import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdapterCommand, launchAdapter } from '../adapters/index.js';
import { createMessageWriter, watchMessages } from '../agtalk/index.js';
import { startReferenceA2aAgent } from '../reference-agent/index.js';
import type { StageTimeline } from './stage-breakdown.js';
import { LatencyRecorder, type LatencySummary } from './stats.js';

const sendMessage = (i: number) =>
  JSON.stringify({ jsonrpc: '2.0', id: `bench-${i}`, method: 'SendMessage', params: { message: { messageId: `m-${i}`, role: 'ROLE_USER', parts: [{ text: 'bench' }] }, configuration: { returnImmediately: true } } });

/**
 * A2A SendMessage (non-blocking) to the reference A2A agent: through agtalk and the A2A adapter
 * process (request file → HTTP → response record → read), and the same POST straight over HTTP,
 * alternating one and the other so that both see the same machine load.
 */
export async function measureA2aRoundTrips(count: number, warmup: number, timeline?: StageTimeline): Promise<LatencySummary[]> {
  const agent = await startReferenceA2aAgent();
  const rpcUrl = `${agent.endpoint}/a2a/jsonrpc`;
  const dir = await mkdtemp(join(tmpdir(), 'agtest-bench-a2a-'));
  const waiting = new Map<string, (at: number) => void>();
  const reader = await watchMessages(join(dir, 'inbox'), {
    onMessage: (file) => {
      const record = file.json as { a2a?: string; request?: string };
      if (record.a2a === 'response' && record.request) waiting.get(record.request)?.(performance.now());
    },
  });
  const adapter = await launchAdapter({
    name: 'a2a',
    command: builtinAdapterCommand('a2a'),
    outbox: join(dir, 'outbox'),
    inbox: join(dir, 'inbox'),
    target: agent.endpoint,
    ...(timeline ? { env: { AGTALK_TRACE: '1' }, onLog: (line: string) => void timeline.addLine('adapter', line) } : {}),
  });
  try {
    const viaAgtalk = new LatencyRecorder('agtalk+a2a adapter');
    const direct = new LatencyRecorder('direct a2a http');
    const writer = await createMessageWriter(join(dir, 'outbox'));
    for (let i = 0; i < warmup + count; i++) {
      const file = JSON.stringify({ http: { method: 'POST', url: rpcUrl, headers: { 'content-type': 'application/json', 'A2A-Version': '1.0' } }, body: sendMessage(i) });
      let resolveAnswer: (at: number) => void = () => undefined;
      const answered = new Promise<number>((resolve) => (resolveAnswer = resolve));
      const started = performance.now();
      timeline?.begin();
      const written = await writer.write(file, 'json', { beforePublish: (name) => waiting.set(name, resolveAnswer) });
      const at = await answered;
      timeline?.end();
      waiting.delete(written.name);
      if (i >= warmup) viaAgtalk.recordMs(at - started);

      const directStarted = performance.now();
      await new Promise<void>((resolve, reject) => {
        const body = sendMessage(i);
        const req = request(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'a2a-version': '1.0', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(body);
      });
      if (i >= warmup) direct.recordMs(performance.now() - directStarted);
    }
    return [viaAgtalk.summary(), direct.summary()];
  } finally {
    await adapter.stop();
    await reader.close();
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  }
}
