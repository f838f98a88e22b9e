import { defineSuite, defineTest, type Rule, type Suite, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { clip, describeError, expectError, expectStreamError, rpc, rpcError } from './client.js';
import { isObject } from './is-object.js';
import type { A2aVersion } from './protocol-version.js';
import { a2aCodeRule, refusalRules, SEND_RULES, type Refusal } from './rules.js';
import { jsonrpcV1Tests } from './jsonrpc-v1.js';
import { sendText } from './task-shape.js';

const JSONRPC = 'JSON-RPC 2.0 §5.1 (error codes)';

/** A JSON-RPC 2.0 pre-defined error: its code has that meaning (§5.1), and nothing else says so. */
function jsonrpcRefusal(code: number, name: string, when: string): Refusal {
  return {
    refused: { id: 'refused', level: 'MUST', cite: `JSON-RPC 2.0 §5 (a call that cannot be processed is answered with an error), §5.1`, text: `${when} is answered with an error` },
    code: { id: 'code', level: 'MUST', cite: `JSON-RPC 2.0 §5.1 (${code} ${name})`, text: `The error code is ${code} (${name})` },
    codes: [code],
  };
}

/** A JSON value that is no valid Request object because of its `member` (JSON-RPC 2.0 §4): -32600. */
function invalidRequest(member: string, cite: string, when: string): Refusal {
  return {
    refused: { id: 'refused', level: 'MUST', cite: `${cite}; §5 (a call that cannot be processed is answered with an error)`, text: `${when} is answered with an error` },
    code: { id: 'code', level: 'MUST', cite: `JSON-RPC 2.0 §5.1 (-32600 Invalid Request: "The JSON sent is not a valid Request object"; here its ${member})`, text: 'The error code is -32600 (Invalid Request)' },
    codes: [-32600],
  };
}

/**
 * A capability the card does not claim: v1.0 §3.3.4 makes the refusal and its code MUST; v0.3
 * only says the method "requires" the capability (§7.2, §7.5, §7.10) and makes its codes SHOULD
 * (§8.2), so there a served call or another code is a warning.
 */
function capabilityRefusal(v: A2aVersion, what: string, name: string, codes: readonly number[], v03Section: string): Refusal {
  return {
    refused:
      v.id === '1.0'
        ? { id: 'refused', level: 'MUST', cite: `A2A v1.0 §3.3.4 Capability Validation (${what} not declared → ${name})`, text: `${what} is refused when the card does not claim it` }
        : { id: 'refused', level: 'SHOULD', cite: `A2A v0.3 ${v03Section} (requires the capability); §8.2 ("Servers SHOULD use these codes")`, text: `${what} is refused when the card does not claim it` },
    code: a2aCodeRule(v, 'code', name, codes),
    codes,
  };
}


export function jsonrpcSuite(v: A2aVersion): Suite {
  const parse = jsonrpcRefusal(-32700, 'Parse error', 'A body that is not JSON');
  const invalid = jsonrpcRefusal(-32600, 'Invalid Request', 'A JSON object that is not a Request object');
  const unknown = jsonrpcRefusal(-32601, 'Method not found', 'An unknown method');
  const badId = invalidRequest('id member', 'JSON-RPC 2.0 §4 (id "MUST contain a String, Number, or NULL value if included")', 'A request whose id is an object or an array');
  const nullId: Rule = { id: 'null-id', level: 'MUST', cite: 'JSON-RPC 2.0 §5 (id: "If there was an error in detecting the id in the Request object (e.g. Parse error/Invalid Request), it MUST be Null")', text: 'The error to a request whose id is no String, Number or Null has id null' };
  const badVersion = invalidRequest('jsonrpc member', 'JSON-RPC 2.0 §4 (jsonrpc "MUST be exactly "2.0"")', 'A request whose jsonrpc is not "2.0"');
  // §4.2 makes a Structured params part of a valid Request (-32600); -32602 "Invalid method parameter(s)" also describes a string params, so either code holds, -32600 preferred.
  const badParams: Refusal = {
    refused: { id: 'refused', level: 'MUST', cite: 'JSON-RPC 2.0 §4.2 ("If present, parameters for the rpc call MUST be provided as a Structured value"); §5 (a call that cannot be processed is answered with an error)', text: 'A request whose params is neither an Object nor an Array is answered with an error' },
    code: { id: 'code', level: 'MUST', cite: 'JSON-RPC 2.0 §5.1 (-32600 "not a valid Request object": §4 defines params as a Structured value; -32602 "Invalid method parameter(s)")', text: 'The error code is -32600 (Invalid Request) or -32602 (Invalid params)' },
    codes: [-32600, -32602],
  };
  const requestCode: Rule = { id: 'request-code', level: 'policy', cite: 'agtest policy: JSON-RPC 2.0 §4 / §4.2 put params in the definition of the Request object, and §7\'s example answers {"method": 1, "params": "bar"} with -32600; no text ranks -32600 above -32602', text: 'A params that is no Structured value is answered -32600 (the Request object is invalid), not -32602' };
  const anyMethod = invalidRequest('jsonrpc member (whatever its method names), not its method', 'JSON-RPC 2.0 §4 (jsonrpc "MUST be exactly "2.0""); §5.1 (-32600 "not a valid Request object", whatever method it names)', 'An invalid request naming an unknown method');
  const params = jsonrpcRefusal(-32602, 'Invalid params', 'Invalid method parameters');
  const streaming = capabilityRefusal(v, 'streaming', 'UnsupportedOperationError', [-32004], '§7.2 message/stream');
  const push = capabilityRefusal(v, 'push notifications', 'PushNotificationNotSupportedError', [-32003], '§7.5 tasks/pushNotificationConfig/set');
  const extended =
    v.id === '1.0'
      ? capabilityRefusal(v, 'an extended card', 'UnsupportedOperationError', [-32004], '')
      : capabilityRefusal(v, 'an authenticated extended card', 'UnsupportedOperationError / AuthenticatedExtendedCardNotConfiguredError', [-32004, -32007], '§7.10 agent/getAuthenticatedExtendedCard');
  const tests: TestDefinition[] = [
    defineTest({
      name: 'parse-error',
      description: 'A body that is not JSON gets error -32700 with id null',
      spec: `${JSONRPC}: -32700 Parse error; §5: id MUST be null when it could not be detected. ${v.cite} errors are JSON-RPC error objects`,
      rules: refusalRules(v, parse),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const answer = await rpc(t, v, rpcUrl, v.methods.get, undefined, { rawBody: '{"jsonrpc": "2.0", "id": "agtest-parse", "method": ' });
        expectError(t, v, answer, 'a truncated JSON body', parse, null);
      },
    }),
    defineTest({
      name: 'invalid-request',
      description: 'A JSON object that is not a Request (no method) gets error -32600',
      spec: `${JSONRPC}: -32600 Invalid Request, "The JSON sent is not a valid Request object"; §4: a Request MUST have method`,
      rules: refusalRules(v, invalid),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.get, { id: 'agtest-unknown' }, { id, shape: ({ method: _method, ...rest }) => rest });
        // -32602 would say the params were at fault: without method it is no Request object at all.
        expectError(t, v, answer, 'a request without method (not a valid Request object)', invalid, undefined);
        verifyErrorId(t, answer, id);
      },
    }),
    defineTest({
      name: 'id-type',
      description: 'A request whose id is an object or an array gets error -32600 with id null',
      spec: 'JSON-RPC 2.0 §4 (id: "MUST contain a String, Number, or NULL value if included"); §5 (id MUST be Null when it could not be detected, e.g. Invalid Request); §5.1 -32600',
      rules: refusalRules(v, badId, [nullId]),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        for (const bad of [{ bad: 'type' }, ['agtest']]) {
          const what = `${v.methods.get} with id ${JSON.stringify(bad)}`;
          const answer = await rpc(t, v, rpcUrl, v.methods.get, { id: `agtest-unknown-${t.newId()}` }, { shape: (request) => ({ ...request, id: bad }) });
          expectError(t, v, answer, what, badId, undefined);
          t.verify('null-id', answer.response?.['id'] === null, `${what}: the error's id is ${JSON.stringify(answer.response?.['id'])}; an id that is no String, Number or Null cannot be detected, so it MUST be null`);
        }
      },
    }),
    defineTest({
      name: 'jsonrpc-version',
      description: 'A request whose jsonrpc member is "1.0" gets error -32600',
      spec: 'JSON-RPC 2.0 §4 (jsonrpc "MUST be exactly "2.0""); §5.1 -32600 Invalid Request',
      rules: refusalRules(v, badVersion),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.get, { id: `agtest-unknown-${t.newId()}` }, { id, shape: (request) => ({ ...request, jsonrpc: '1.0' }) });
        expectError(t, v, answer, `${v.methods.get} with jsonrpc "1.0"`, badVersion, undefined);
        verifyErrorId(t, answer, id);
      },
    }),
    defineTest({
      name: 'params-type',
      description: 'A request whose params is a string gets error -32600 (params is no Structured value: no valid Request object; -32602 is a policy warning)',
      spec: 'JSON-RPC 2.0 §4 (params: "A Structured value"), §4.2 ("MUST be provided as a Structured value"), §5.1 -32600; §7 example ({"method": 1, "params": "bar"} → -32600)',
      rules: refusalRules(v, badParams, [requestCode]),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.get, 'agtest-not-structured', { id });
        const what = `${v.methods.get} with params "agtest-not-structured"`;
        const error = expectError(t, v, answer, what, badParams, undefined);
        if (error?.['code'] === -32602) t.verify('request-code', false, `${what}: answered -32602 (Invalid params); the Request object itself is invalid, -32600`);
        verifyErrorId(t, answer, id);
      },
    }),
    defineTest({
      name: 'invalid-request-any-method',
      description: 'An invalid request (jsonrpc "1.0") naming an unknown method gets -32600, not -32601: the request is judged before its method',
      spec: 'JSON-RPC 2.0 §4 (a Request has jsonrpc exactly "2.0"), §5.1 (-32600: "The JSON sent is not a valid Request object"; -32601 answers a Request whose method does not exist)',
      rules: refusalRules(v, anyMethod),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        // The same invalid request naming a known method first: an agent that serves it (a result, or the method's own
        // error) does not judge jsonrpc at all (jsonrpc-version's failure, once: blocked here); one that refuses it as
        // -32602 Invalid params (jsonrpc-version's failure too) shows the order by giving the unknown method that same
        // code, not -32601.
        const known = await rpc(t, v, rpcUrl, v.methods.get, { id: `agtest-unknown-${t.newId()}` }, { shape: (request) => ({ ...request, jsonrpc: '1.0' }) });
        const knownError = known.response?.['error'];
        const knownCode = isObject(knownError) ? knownError['code'] : undefined;
        if (knownCode !== -32600 && knownCode !== -32602) t.block(`${v.methods.get} with jsonrpc "1.0" is not refused as an invalid request (${knownError ? describeError(knownError) : 'a result'}), see ${v.prefix}.jsonrpc.passive.jsonrpc-version`, `${v.prefix}.jsonrpc.passive.jsonrpc-version`);
        const answer = await rpc(t, v, rpcUrl, 'agtest/noSuchMethod', {}, { shape: (request) => ({ ...request, jsonrpc: '1.0' }) });
        const what = 'a jsonrpc "1.0" request of method agtest/noSuchMethod';
        if (knownCode === -32600) {
          expectError(t, v, answer, what, anyMethod, undefined);
          return;
        }
        const error = expectError(t, v, answer, what, { refused: anyMethod.refused, codes: [] }, undefined);
        t.verify('code', error?.['code'] === knownCode, `${what}: answered ${describeError(error)}, while the same request naming ${v.methods.get} got ${knownCode}: the method was looked at before the request`);
      },
    }),
    defineTest({
      name: 'method-not-found',
      description: 'An unknown method gets error -32601 with the request id',
      spec: `${JSONRPC}: -32601 Method not found`,
      rules: refusalRules(v, unknown),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await rpcError(t, v, rpcUrl, 'agtest/noSuchMethod', {}, 'method agtest/noSuchMethod', unknown);
      },
    }),
    defineTest({
      name: 'invalid-params',
      description: `${v.methods.send} whose message is a string gets error -32602`,
      spec: `${JSONRPC}: -32602 Invalid params; ${v.cite} ${v.sec.errors} (validation errors)`,
      rules: refusalRules(v, params),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await rpcError(t, v, rpcUrl, v.methods.send, { message: 'not a message object' }, `${v.methods.send} with message "not a message object"`, params);
      },
    }),
    defineTest({
      name: 'notification-unanswered',
      description: 'A request without id (a notification) gets no JSON-RPC response',
      spec: 'JSON-RPC 2.0 §4.1: "The Server MUST NOT reply to a Notification", including for errors',
      rules: [
        { id: 'no-reply', level: 'MUST NOT', cite: 'JSON-RPC 2.0 §4.1 ("The Server MUST NOT reply to a Notification")', text: 'A notification gets no JSON-RPC response object' },
        { id: 'accepted', level: 'policy', cite: 'agtest policy: RFC 9110 §15.3; no A2A or JSON-RPC text fixes the HTTP status', text: 'A notification (a valid request) is accepted with an HTTP 2xx status' },
      ],
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        // The only notification agtest sends: a harmless read of a task that does not exist.
        const answer = await rpc(t, v, rpcUrl, v.methods.get, { id: `agtest-unknown-${t.newId()}` }, { id: null });
        t.verify('no-reply', answer.response === undefined || !('jsonrpc' in answer.response), `the agent replied to a notification: ${clip(answer.body)}`);
        t.verify('accepted', answer.status < 300, `the notification got HTTP ${answer.status}`);
      },
    }),
    defineTest({
      name: 'streaming-unclaimed-refused',
      description: `When the card does not claim streaming, ${v.methods.stream} and ${v.methods.subscribe} get error -32004 (UnsupportedOperation)`,
      spec: `${v.cite} ${v.sec.capability}: capabilities.streaming false or absent → UnsupportedOperationError (-32004)`,
      rules: refusalRules(v, streaming, [], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (claims.streaming) t.skip('the card claims streaming (the streaming cluster tests it)');
        const id = t.newId();
        const what = `${v.methods.stream} without the capability`;
        const answer = await rpc(t, v, rpcUrl, v.methods.stream, { message: v.userMessage('agtest: streaming probe') }, { id });
        expectStreamError(t, v, answer, what, streaming, id);
        // Subscribing needs streaming too (v1.0 §3.3.4; v0.3 §7.9): to a task still running, so that a refusal can only be for the capability.
        const running = await sendText(t, v, rpcUrl, 'agtest: a task to subscribe to', { configuration: v.blocking(false) });
        if (running.kind !== 'task') return;
        const subscribeId = t.newId();
        const subscribe = `${v.methods.subscribe} of task ${running.id} without the capability`;
        const subscribed = await rpc(t, v, rpcUrl, v.methods.subscribe, { id: running.id }, { id: subscribeId });
        expectStreamError(t, v, subscribed, subscribe, streaming, subscribeId);
      },
    }),
    defineTest({
      name: 'push-unclaimed-refused',
      description: `When the card does not claim push notifications, ${v.methods.pushSet} gets error -32003`,
      spec: `${v.cite} ${v.sec.capability}: capabilities.pushNotifications false or absent → PushNotificationNotSupportedError (-32003)`,
      rules: refusalRules(v, push),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (claims.push) t.skip('the card claims push notifications (the push cluster tests them)');
        await rpcError(t, v, rpcUrl, v.methods.pushSet, v.pushSetParams('agtest-unknown', t.endpoint), `${v.methods.pushSet} without the capability`, push);
      },
    }),
    defineTest({
      name: 'extended-card-unclaimed-refused',
      description: `When the card does not claim an extended card, ${v.methods.extendedCard} gets an error`,
      spec:
        v.id === '1.0'
          ? 'A2A v1.0 §3.3.4 Capability Validation: capabilities.extendedAgentCard false or absent → UnsupportedOperationError (-32004)'
          : 'A2A v0.3 §7.10 agent/getAuthenticatedExtendedCard (available only if supportsAuthenticatedExtendedCard); §8.2: -32004, or -32007 AuthenticatedExtendedCardNotConfigured (SHOULD)',
      rules: refusalRules(v, extended),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (claims.extendedCard) t.skip('the card claims an extended card');
        await rpcError(t, v, rpcUrl, v.methods.extendedCard, v.id === '1.0' ? {} : undefined, `${v.methods.extendedCard} without the capability`, extended);
      },
    }),
  ];
  if (v.id === '1.0') {
    const version: Refusal = {
      refused: { id: 'refused', level: 'MUST', cite: 'A2A v1.0 §3.6.2 ("If the version is not supported by the interface, agents MUST return a VersionNotSupportedError")', text: 'A request with an A2A-Version the interface does not support is refused' },
      code: a2aCodeRule(v, 'code', 'VersionNotSupportedError', [-32009]),
      codes: [-32009],
    };
    const extension: Refusal = {
      refused: { id: 'refused', level: 'MUST', cite: 'A2A v1.0 §3.3.4 Capability Validation (a required extension the client did not declare → ExtensionSupportRequiredError)', text: 'A request that does not declare a required extension is refused' },
      code: a2aCodeRule(v, 'code', 'ExtensionSupportRequiredError', [-32008]),
      codes: [-32008],
    };
    tests.push(
      defineTest({
        name: 'version-unsupported',
        description: 'A request with A2A-Version 99.0 gets error -32009 (VersionNotSupported)',
        spec: 'A2A v1.0 §3.6.2: if the version is not supported by the interface, agents MUST return VersionNotSupportedError (-32009)',
        rules: refusalRules(v, version),
        async run(t: TestContext) {
          const { rpcUrl } = await agentCard(t, v);
          await rpcError(t, v, rpcUrl, v.methods.get, { id: 'agtest-unknown' }, 'GetTask with A2A-Version 99.0', version, { headers: { 'A2A-Version': '99.0' } });
        },
      }),
      defineTest({
        name: 'required-extension-enforced',
        description: 'When the card marks an extension required, a request that does not declare it gets error -32008',
        spec: 'A2A v1.0 §3.3.4 Capability Validation: a required extension the client did not declare → ExtensionSupportRequiredError (-32008)',
        rules: refusalRules(v, extension),
        async run(t: TestContext) {
          const { rpcUrl, requiredExtensions } = await agentCard(t, v);
          if (requiredExtensions.length === 0) t.skip('the card marks no extension required');
          await rpcError(t, v, rpcUrl, v.methods.send, { message: v.userMessage('agtest: no extensions declared') }, `${v.methods.send} without ${requiredExtensions.join(', ')}`, extension, { undeclared: true });
        },
      }),
      ...jsonrpcV1Tests(v),
    );
  }
  return defineSuite({
    cluster: `${v.prefix}.jsonrpc`,
    mode: 'passive',
    description: `JSON-RPC 2.0 as A2A ${v.id} uses it: every standard error with a request that has an id, notifications unanswered, capability and version errors`,
    tests,
  });
}

/** An Invalid Request's error carries the request's id, or null when the server could not read it (JSON-RPC 2.0 §5). */
function verifyErrorId(t: TestContext, answer: { response?: Record<string, unknown> }, id: string): void {
  const answered = answer.response?.['id'];
  t.verify('rpc.id', answered === id || answered === null, `the error's id is ${JSON.stringify(answered)}: must be the request's ${JSON.stringify(id)} (or null)`);
}
