import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdapterCommand, launchAdapter, type BuiltinAdapterName } from '../adapters/index.js';
import { createMessageWriter, watchMessages } from '../agtalk/index.js';
import type { StageTimeline } from './stage-breakdown.js';
import { createPing, ReplyWaiters } from './trust-ping.js';

export interface AgentUnderTest {
  endpoint: string;
  backchannel: string;
}

export interface RoundTripPath {
  /** Where the agent must send its answers for this path (its `setup` endpoint). */
  endpoint: string;
  /** One ping and its answer, in ms. */
  roundTrip(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The path agtest's messages take: ping written to the outbox → the adapter process sends it over
 * its transport → the agent's answer comes back through the adapter → file in the inbox → read.
 * Timed from write to read. With a timeline, the adapter process reports its stage times too.
 */
export async function openAgtalkPath(agent: AgentUnderTest, transport: BuiltinAdapterName, timeline?: StageTimeline): Promise<RoundTripPath> {
  const dir = await mkdtemp(join(tmpdir(), 'agtest-bench-'));
  const outbox = join(dir, 'outbox');
  const inbox = join(dir, 'inbox');
  const waiters = new ReplyWaiters();
  const logs: string[] = [];
  const reader = await watchMessages(inbox, { onMessage: (file) => waiters.settle(file.json) });
  const adapter = await launchAdapter({
    name: transport,
    command: builtinAdapterCommand(transport),
    outbox,
    inbox,
    target: agent.endpoint,
    ...(timeline ? { env: { AGTALK_TRACE: '1' } } : {}),
    onLog: (line) => {
      if (timeline?.addLine('adapter', line)) return;
      logs.push(line);
      if (logs.length > 20) logs.shift();
    },
  });
  const writer = await createMessageWriter(outbox);
  return {
    endpoint: adapter.endpoint!,
    async roundTrip() {
      const ping = createPing();
      const answered = waiters.wait(ping.id);
      const started = performance.now();
      timeline?.begin();
      try {
        await writer.write(ping.body, 'dm');
        const at = await answered;
        timeline?.end();
        return at - started;
      } catch (error) {
        throw new Error(`agtalk round trip over ${transport} failed: ${String(error)}${logs.length ? `\nadapter log:\n${logs.join('\n')}` : ''}`, { cause: error });
      }
    },
    async close() {
      await adapter.stop();
      await reader.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
