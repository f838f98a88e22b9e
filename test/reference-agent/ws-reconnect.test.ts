// WS: the agent's connections are killed mid-run and come back; no message is lost.
import t, { type Test } from 'tap';
import { createMessageWriter, watchMessages } from '../../agtalk/index.js';
import { startReferenceAgent } from '../../reference-agent/index.js';
import { startBuiltinAdapter } from '../adapters/helpers/http-adapter-process.js';
import { waitFor, withTempDir } from '../adapters/helpers/wait.js';

const act = async (t: Test, backchannel: string, action: string, params: Record<string, unknown> = {}) => {
  const response = await fetch(backchannel, { method: 'POST', body: JSON.stringify({ action, params }) });
  t.equal(response.status, 200, `${action} answered 200`);
};

t.test('100 pings over WS while the agent drops every connection twice: 100 responses, each thread once', (t) =>
  withTempDir(async (dir) => {
    const agent = await startReferenceAgent({ transport: 'ws' });
    const adapter = await startBuiltinAdapter('ws', dir, agent.endpoint);
    const thids = new Map<string, number>();
    const reader = await watchMessages(adapter.inbox, {
      onMessage: (file) => {
        const thid = (file.json as { '~thread'?: { thid?: string } })['~thread']?.thid ?? '';
        thids.set(thid, (thids.get(thid) ?? 0) + 1);
      },
    });
    t.teardown(async () => {
      await reader.close();
      await adapter.stop();
      await agent.close();
    });
    await act(t, agent.backchannel, 'setup', { endpoint: adapter.endpoint });
    const outbox = await createMessageWriter(adapter.outbox);
    for (let n = 0; n < 100; n++) {
      await outbox.write(JSON.stringify({ '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': `ping-${n}`, response_requested: true }), 'dm');
      if (n === 30 || n === 70) {
        await waitFor(`ping ${n - 10} answered`, () => thids.has(`ping-${n - 10}`));
        await act(t, agent.backchannel, 'drop-connections');
      }
    }
    await waitFor('100 answered threads', () => thids.size === 100, 30_000);
    const resent = new Set(adapter.eventsOf('possible-duplicate').map((e) => e.file));
    const twice = [...thids].filter(([, count]) => count > 1);
    t.ok(twice.length <= resent.size, `a thread answered twice only for a ping flagged as possibly resent (${twice.length} vs ${resent.size})`);
    t.equal(adapter.eventsOf('undeliverable').length, 0, 'nothing given up');
  }),
);
