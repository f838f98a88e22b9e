import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { planLoad, runLoad, type LoadRunResult } from '../../load/index.js';
import { startReferenceAgent } from '../../reference-agent/index.js';

/** Plans a config the way `agtest load -c` does and runs it; the engine's result. */
async function run(config: Record<string, unknown>): Promise<LoadRunResult> {
  const plan = planLoad(config as never);
  return runLoad({ scenario: plan.scenario, model: plan.model, ...(plan.iterations ? { iterations: plan.iterations } : {}), ...(plan.durationMs ? { durationMs: plan.durationMs } : {}), timeoutMs: plan.timeoutMs, gracefulStopMs: plan.gracefulStopMs, shard: plan.shard, health: plan.health });
}
const counts = (result: LoadRunResult) => result.recorder.counters;
const classes = (result: LoadRunResult) => Object.fromEntries([...result.recorder.errors].map(([name, bucket]) => [name, bucket.count]));

t.test('message (DIDComm): one connection before the load, then trust ping round trips on it', async (t) => {
  const result = await run({ scenario: 'message', message: {}, load: { vus: 4, iterations: 60 } });
  t.equal(counts(result).ok, 60);
  t.equal(counts(result).errors, 0);
  t.same([...result.recorder.steps.keys()], ['ping', 'total']);
});

t.test('message (DIDComm): an agent whose ping_response names the wrong thread answers nothing the receiver can match: timeouts, not successes', async (t) => {
  const result = await run({ scenario: 'message', message: { agent: { faults: ['wrong-thid'] } }, load: { vus: 2, iterations: 4, timeout: '300ms' } });
  t.equal(counts(result).ok, 0);
  t.same(classes(result), { timeout: 4 });
});

t.test('message (A2A): SendMessage v1.0 and message/send v0.3 against the reference A2A agent; a JSON-RPC error is counted', async (t) => {
  const v1 = await run({ scenario: 'message', message: { a2a: {} }, load: { vus: 2, iterations: 10 } });
  t.equal(counts(v1).ok, 10);
  t.same([...v1.recorder.steps.keys()], ['send', 'total']);
  const v03 = await run({ scenario: 'message', message: { a2a: { version: '0.3' } }, load: { vus: 2, iterations: 6 } });
  t.equal(counts(v03).ok, 6);
  // An agent that answers a JSON-RPC error (here: no such method on a plain server) is refused, with its words.
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"method not found"}}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const refused = await run({ scenario: 'message', message: { a2a: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc` } }, load: { vus: 1, iterations: 3 } });
  t.same(classes(refused), { refused: 3 });
  t.match([...refused.recorder.errors.values()][0]!.examples[0], { message: /JSON-RPC error -32601 method not found/ });
});

t.test('message: an external agent through agact, and a config that mixes A2A and DIDComm is refused naming the keys', async (t) => {
  const agent = await startReferenceAgent({ transport: 'http' });
  t.teardown(() => agent.close());
  const result = await run({ scenario: 'message', message: { invite: { agact: ['agact-http', '--url', agent.backchannel] } }, load: { vus: 2, iterations: 10 } });
  t.equal(counts(result).ok, 10, JSON.stringify([...result.recorder.errors]));
  t.throws(() => planLoad({ scenario: 'message', message: { a2a: {}, invite: { agact: ['x'] } }, load: { vus: 1, iterations: 1 } } as never), { code: 'AGTEST_LOAD_CONFIG_INVALID', message: /message\.a2a sends A2A SendMessage; message\.agent and message\.invite are for DIDComm/ });
  t.throws(() => planLoad({ scenario: 'message', message: { a2a: { version: '2.0' } }, load: { vus: 1, iterations: 1 } } as never), { message: /message\.a2a\.version must be one of "1\.0", "0\.3"/ });
});
