import { defineSuite, defineTest, type Suite, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { clip, expectError, rpc, rpcError } from './client.js';
import type { A2aVersion } from './protocol-version.js';

const JSONRPC = 'JSON-RPC 2.0 §5.1 (error codes)';

export function jsonrpcSuite(v: A2aVersion): Suite {
  const tests: TestDefinition[] = [
    defineTest({
      name: 'parse-error',
      description: 'A body that is not JSON gets error -32700 with id null',
      spec: `${JSONRPC}: -32700 Parse error; §5: id MUST be null when it could not be detected. ${v.cite} errors are JSON-RPC error objects`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const answer = await rpc(t, v, rpcUrl, v.methods.get, undefined, { rawBody: '{"jsonrpc": "2.0", "id": "agtest-parse", "method": ' });
        expectError(t, answer, 'a truncated JSON body', -32700, null);
      },
    }),
    defineTest({
      name: 'invalid-request',
      description: 'A JSON object that is not a Request (no method) gets error -32600',
      spec: `${JSONRPC}: -32600 Invalid Request, "The JSON sent is not a valid Request object"; §4: a Request MUST have method`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.get, { id: 'agtest-unknown' }, { id, shape: ({ method: _method, ...rest }) => rest });
        const error = expectError(t, answer, 'a request without method', [-32600, -32602], undefined);
        t.check(error['code'] === -32600, `a request without method is not a valid Request object, so JSON-RPC 2.0 §5.1 requires -32600 Invalid Request; the agent answered ${String(error['code'])} (Invalid params), which says the params were at fault`);
        const answered = answer.response?.['id'];
        t.check(answered === id || answered === null, `the error's id is ${JSON.stringify(answered)}: must be the request's ${JSON.stringify(id)} (or null)`);
      },
    }),
    defineTest({
      name: 'method-not-found',
      description: 'An unknown method gets error -32601 with the request id',
      spec: `${JSONRPC}: -32601 Method not found`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await rpcError(t, v, rpcUrl, 'agtest/noSuchMethod', {}, 'method agtest/noSuchMethod', -32601);
      },
    }),
    defineTest({
      name: 'invalid-params',
      description: `${v.methods.send} whose message is a string gets error -32602`,
      spec: `${JSONRPC}: -32602 Invalid params; ${v.cite} ${v.sec.errors} (validation errors)`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await rpcError(t, v, rpcUrl, v.methods.send, { message: 'not a message object' }, `${v.methods.send} with message "not a message object"`, -32602);
      },
    }),
    defineTest({
      name: 'notification-unanswered',
      description: 'A request without id (a notification) gets no JSON-RPC response',
      spec: 'JSON-RPC 2.0 §4.1: "The Server MUST NOT reply to a Notification", including for errors',
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        // The only notification agtest sends: a harmless read of a task that does not exist.
        const answer = await rpc(t, v, rpcUrl, v.methods.get, { id: `agtest-unknown-${t.newId()}` }, { id: null });
        t.check(answer.status < 300, `the notification got HTTP ${answer.status}; it is a valid request and must be accepted without a response body`);
        t.check(answer.response === undefined || !('jsonrpc' in answer.response), `the agent replied to a notification: ${clip(answer.body)}`);
      },
    }),
    defineTest({
      name: 'streaming-unclaimed-refused',
      description: `When the card does not claim streaming, ${v.methods.stream} gets error -32004 (UnsupportedOperation)`,
      spec: `${v.cite} ${v.sec.capability}: capabilities.streaming false or absent → UnsupportedOperationError (-32004)`,
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (claims.streaming) t.skip('the card claims streaming (the streaming cluster tests it)');
        await rpcError(t, v, rpcUrl, v.methods.stream, { message: v.userMessage('agtest: streaming probe') }, `${v.methods.stream} without the capability`, -32004);
      },
    }),
    defineTest({
      name: 'push-unclaimed-refused',
      description: `When the card does not claim push notifications, ${v.methods.pushSet} gets error -32003`,
      spec: `${v.cite} ${v.sec.capability}: capabilities.pushNotifications false or absent → PushNotificationNotSupportedError (-32003)`,
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (claims.push) t.skip('the card claims push notifications (the push cluster tests them)');
        await rpcError(t, v, rpcUrl, v.methods.pushSet, v.pushSetParams('agtest-unknown', t.endpoint), `${v.methods.pushSet} without the capability`, -32003);
      },
    }),
    defineTest({
      name: 'extended-card-unclaimed-refused',
      description: `When the card does not claim an extended card, ${v.methods.extendedCard} gets an error`,
      spec:
        v.id === '1.0'
          ? 'A2A v1.0 §3.3.4 Capability Validation: capabilities.extendedAgentCard false or absent → UnsupportedOperationError (-32004)'
          : 'A2A v0.3 agent/getAuthenticatedExtendedCard: not supported → -32004, or -32007 AuthenticatedExtendedCardNotConfigured',
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (claims.extendedCard) t.skip('the card claims an extended card');
        await rpcError(t, v, rpcUrl, v.methods.extendedCard, v.id === '1.0' ? {} : undefined, `${v.methods.extendedCard} without the capability`, v.id === '1.0' ? -32004 : [-32004, -32007]);
      },
    }),
  ];
  if (v.id === '1.0') {
    tests.push(
      defineTest({
        name: 'version-unsupported',
        description: 'A request with A2A-Version 99.0 gets error -32009 (VersionNotSupported)',
        spec: 'A2A v1.0 §3.6.2: if the version is not supported by the interface, agents MUST return VersionNotSupportedError (-32009)',
        async run(t: TestContext) {
          const { rpcUrl } = await agentCard(t, v);
          await rpcError(t, v, rpcUrl, v.methods.get, { id: 'agtest-unknown' }, 'GetTask with A2A-Version 99.0', -32009, { headers: { 'A2A-Version': '99.0' } });
        },
      }),
      defineTest({
        name: 'required-extension-enforced',
        description: 'When the card marks an extension required, a request that does not declare it gets error -32008',
        spec: 'A2A v1.0 §3.3.4 Capability Validation: a required extension the client did not declare → ExtensionSupportRequiredError (-32008)',
        async run(t: TestContext) {
          const { rpcUrl, requiredExtensions } = await agentCard(t, v);
          if (requiredExtensions.length === 0) t.skip('the card marks no extension required');
          await rpcError(t, v, rpcUrl, v.methods.send, { message: v.userMessage('agtest: no extensions declared') }, `${v.methods.send} without ${requiredExtensions.join(', ')}`, -32008);
        },
      }),
    );
  }
  return defineSuite({
    cluster: `${v.prefix}.jsonrpc`,
    mode: 'passive',
    description: `JSON-RPC 2.0 as A2A ${v.id} uses it: every standard error with a request that has an id, notifications unanswered, capability and version errors`,
    tests,
  });
}
