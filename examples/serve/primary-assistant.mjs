#!/usr/bin/env node
/* global fetch, Headers -- Node 20 globals */
// A "primary assistant" (seeds 002/003 §2): it turns the user's sentence into the seed's structured
// request and sends it to `agtest serve` over A2A with @a2a-js/sdk, then prints the streamed
// progress and the result. Usage:
//   AGTEST_KEY=agk_… node examples/serve/primary-assistant.mjs [SERVE_URL] [TARGET_URL]
// SERVE_URL defaults to http://127.0.0.1:8080; TARGET_URL (the system under load) to
// http://127.0.0.1:4300 (the reference A2A agent: `agtest-reference-a2a-agent --port 4300`).
import { randomUUID } from 'node:crypto';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from '@a2a-js/sdk/client';

const [serveUrl = 'http://127.0.0.1:8080', target = 'http://127.0.0.1:4300'] = process.argv.slice(2);
const key = process.env.AGTEST_KEY;
if (!key) {
  console.error('set AGTEST_KEY to the key agtest serve printed');
  process.exit(2);
}

// The key goes on every call (the card declares a Bearer scheme).
const fetchImpl = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};
const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl })] }));
const client = await factory.createFromUrl(serveUrl);

// The seed's example request (§5.2), its target and load shrunk to a loopback server and seconds.
const request = {
  requestId: randomUUID(),
  sourceAgentId: 'primary_assistant_example',
  userId: 'user_734',
  taskType: 'generate_and_execute',
  taskDescription: 'Run a stress test on the agent card endpoint (GET /.well-known/agent-card.json) with 2 users for 3 seconds.',
  targetDetails: { url: target, apiEndpoints: [{ method: 'GET', path: '/.well-known/agent-card.json' }] },
  performanceParameters: { virtualUsers: 2, durationSeconds: 3, rampUpSeconds: 0 },
};

const STATES = { 1: 'submitted', 2: 'working', 3: 'completed', 4: 'failed', 5: 'canceled', 6: 'input-required', 7: 'rejected' };
const textOf = (message) => (message?.parts ?? []).filter((p) => p.content?.$case === 'text').map((p) => p.content.value).join(' ');
let final = 'unknown';
process.on('uncaughtException', (error) => {
  console.error(`agtest serve refused or failed: ${error.message}`);
  process.exit(1);
});
const stream = client.sendMessageStream({ message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ content: { $case: 'data', value: request } }] } });
for await (const event of stream) {
  const payload = event.payload;
  if (payload?.$case === 'task' || payload?.$case === 'statusUpdate') {
    const status = payload.value.status;
    final = STATES[status.state] ?? String(status.state);
    console.log(`[${final}] ${textOf(status.message)}`);
  } else if (payload?.$case === 'artifactUpdate') {
    const { artifact } = payload.value;
    const part = artifact.parts[0]?.content;
    if (artifact.name === 'result.json') {
      const summary = part?.value?.report?.summary;
      console.log(`[artifact ${artifact.name}] requests completed: ${summary?.completed}, ok: ${summary?.ok}, errors: ${summary?.errors}, p99: ${summary?.latency_ms?.p99_ms} ms`);
    } else {
      console.log(`[artifact ${artifact.name}] ${typeof part?.value === 'string' ? `${part.value.length} characters` : 'JSON'}`);
    }
  }
}
console.log(`final state: ${final}`);
process.exit(final === 'completed' ? 0 : 1);
