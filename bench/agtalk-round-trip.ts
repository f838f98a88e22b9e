import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdapterCommand, launchAdapter, type BuiltinAdapterName } from '../adapters/index.js';
import { createMessageWriter, watchMessages } from '../agtalk/index.js';
import type { LatencyRecorder } from './stats.js';
import { createPing, ReplyWaiters, setupAgent } from './trust-ping.js';

export interface AgentUnderTest {
  endpoint: string;
  backchannel: string;
}

/**
 * The path agtest's messages take: ping written to the outbox → the adapter process sends it over
 * its transport → the agent's answer comes back through the adapter → file in the inbox → read.
 * Timed from write to read.
 */
export async function measureAgtalkRoundTrips(agent: AgentUnderTest, recorder: LatencyRecorder, count: number, warmup: number, transport: BuiltinAdapterName = 'http'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agtest-bench-'));
  const outbox = join(dir, 'outbox');
  const inbox = join(dir, 'inbox');
  const waiters = new ReplyWaiters();
  const logs: string[] = [];
  const reader = await watchMessages(inbox, { onMessage: (file) => waiters.settle(file.json) });
  const adapter = await launchAdapter({ name: transport, command: builtinAdapterCommand(transport), outbox, inbox, target: agent.endpoint, onLog: (line) => void logs.push(line) });
  try {
    await setupAgent(agent.backchannel, adapter.endpoint!);
    const writer = await createMessageWriter(outbox);
    for (let i = 0; i < warmup + count; i++) {
      const ping = createPing();
      const answered = waiters.wait(ping.id);
      const started = performance.now();
      await writer.write(ping.body, 'dm');
      const at = await answered;
      if (i >= warmup) recorder.recordMs(at - started);
    }
  } catch (error) {
    throw new Error(`agtalk round trip over ${transport} failed: ${String(error)}${logs.length ? `\nadapter log:\n${logs.slice(-10).join('\n')}` : ''}`, { cause: error });
  } finally {
    await adapter.stop();
    await reader.close();
    await rm(dir, { recursive: true, force: true });
  }
}
