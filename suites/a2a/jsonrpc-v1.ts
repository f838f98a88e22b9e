/**
 * A2A v1.0 request rules the requirement map found unchecked: typed error details (§9.5), the
 * version header's patch part and its absence (§3.6, §3.6.2), and parameters a method cannot go
 * without (§3.3.2, §5.7).
 */
import { defineTest, type Rule, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { clip, rpc, rpcError } from './client.js';
import { A2A_V0_3, type A2aVersion } from './protocol-version.js';
import { commonRule, insist, refusalRules, rulesOf, type Refusal } from './rules.js';
import { isObject } from './is-object.js';

export function jsonrpcV1Tests(v: A2aVersion): TestDefinition[] {
  // A policy, not the MUST it comes from: §14.2.1 says the header value MUST be Major.Minor, so a
  // client sending 1.0.1 is off-spec itself, and what a server does with it no text fixes.
  const patchIgnored: Rule = {
    id: 'patch-ignored',
    level: 'policy',
    cite: 'agtest policy, after A2A v1.0 §3.6 Versioning (patch version numbers "MUST not be considered when clients and servers negotiate protocol versions"); not a MUST here: §14.2.1 says the A2A-Version value "MUST be in the format Major.Minor", which 1.0.1 is not',
    text: 'A request with A2A-Version 1.0.1 is served as 1.0, not refused as an unsupported version',
  };
  const emptyIs03: Rule = {
    id: 'empty-is-0.3',
    level: 'MUST',
    cite: 'A2A v1.0 §3.6.2 ("Agents MUST interpret empty value as 0.3 version"); §3.6.1 ("0.3 will be assumed for empty header")',
    text: 'A request without A2A-Version is not answered with A2A 1.0 semantics: refused, or answered in the 0.3 form',
  };
  const missing: Refusal = {
    // §5.7 is the text on REQUIRED fields and sets rejecting them at SHOULD; §3.3.2's general "MUST
    // validate" names no rejection of a missing field, so the specific SHOULD decides.
    refused: { id: 'refused', level: 'SHOULD', cite: 'A2A v1.0 §5.7 Field Presence ("Implementations SHOULD validate these requirements and reject messages with missing required fields"): GetTaskRequest.id, SendMessageRequest.message REQUIRED; §3.3.2 Validation Errors ("Servers MUST validate all input parameters before processing")', text: 'A request without a REQUIRED parameter is refused' },
    code: { id: 'code', level: 'MUST', cite: 'JSON-RPC 2.0 §5.1 (-32602 Invalid params); A2A v1.0 §3.3.2 (validation errors: JSON-RPC -32602), §9.5', text: 'The error code is -32602 (Invalid params)' },
    codes: [-32602],
  };
  const typedDetails: Rule = {
    id: 'typed-details',
    level: 'MUST',
    cite: 'A2A v1.0 §9.5 Error Handling ("Each object in the data array MUST include a @type key that identifies the object\'s type"); §3.3.2 Error Payload Structure (ProtoJSON Any)',
    text: 'When error.data is an array of details, every element is an object with a string @type',
  };
  // A policy, not a MUST: §9.5 describes error.data as the array of typed details (the v1.0 hot-fix,
  // A2A PR #1627), but its keyword binds only each element's @type; a JSON-RPC 2.0 §5.1 `data` of
  // another shape is what agents built to the text before the hot-fix send.
  const detailsArray: Rule = {
    id: 'details-array',
    level: 'policy',
    cite: 'agtest policy, after A2A v1.0 §9.5 Error Handling, Error Detail Objects (error.data carries the details as an array: "Each object in the data array MUST include a @type key"; "Additional error context MAY be included as further objects in the data array"); not a MUST here: no keyword binds the array form itself, and JSON-RPC 2.0 §5.1 lets data be any value',
    text: 'When an error has data, it is an array of detail objects',
  };
  return [
    defineTest({
      name: 'error-details',
      description: 'Errors of an unknown task, an unknown method and invalid params: error.data, when present, is an array whose every detail has a @type',
      spec: 'A2A v1.0 §9.5: error.data is an array of detail objects, each with a @type (ProtoJSON Any); §3.3.2',
      rules: rulesOf(v, [typedDetails, detailsArray]),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const probes: [string, unknown, string][] = [
          [v.methods.get, { id: `agtest-unknown-${t.newId()}` }, 'GetTask of a task never issued'],
          ['agtest/NoSuchMethod', {}, 'an unknown method'],
          [v.methods.send, { message: 'agtest: not a Message object' }, 'SendMessage with a string message'],
        ];
        for (const [method, params, what] of probes) {
          const answer = await rpc(t, v, rpcUrl, method, params);
          const error = answer.response?.['error'];
          // Whether these are refused, and with which code, other tests judge; here only the details.
          if (!isObject(error) || !('data' in error)) continue;
          const data = error['data'];
          if (!t.verify('details-array', Array.isArray(data), `${what}: error.data is ${data === null ? 'null' : typeof data}, not an array of detail objects: ${clip(JSON.stringify(data), 120)}`) || !Array.isArray(data)) continue;
          data.forEach((detail: unknown, n: number) => {
            t.verify('typed-details', isObject(detail) && typeof detail['@type'] === 'string' && detail['@type'] !== '', `${what}: error.data[${n}] has no @type: ${clip(JSON.stringify(detail), 120)}`);
          });
        }
      },
    }),
    defineTest({
      name: 'version-patch-ignored',
      description: 'A request with A2A-Version 1.0.1 is served as 1.0, not refused with -32009 (VersionNotSupported)',
      spec: 'A2A v1.0 §3.6: patch version numbers MUST not be considered when negotiating protocol versions (a policy warning: §14.2.1 makes the header Major.Minor); §3.6.2',
      rules: rulesOf(v, [patchIgnored]),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        // Any 1.0 answer will do (tasks.get-unknown judges this one); only a version refusal counts here.
        const taskId = `agtest-unknown-${t.newId()}`;
        const answer = await rpc(t, v, rpcUrl, v.methods.get, { id: taskId }, { headers: { 'A2A-Version': '1.0.1' } });
        const error = answer.response?.['error'];
        const code = isObject(error) ? error['code'] : undefined;
        t.verify('patch-ignored', code !== -32009, `GetTask with A2A-Version 1.0.1 was refused with -32009 (VersionNotSupported): the patch number must not count, 1.0.1 is 1.0`);
      },
    }),
    defineTest({
      name: 'version-empty-is-0.3',
      description: 'A SendMessage in the 1.0 form without A2A-Version is refused or answered in the 0.3 form, never served as 1.0',
      spec: 'A2A v1.0 §3.6.2: agents MUST interpret an empty A2A-Version as 0.3 (and refuse a version the interface does not support)',
      rules: rulesOf(v, [emptyIs03]),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const id = t.newId();
        // A2A_V0_3 sends no A2A-Version header; the request is a v1.0 SendMessage all the same.
        const answer = await rpc(t, A2A_V0_3, rpcUrl, v.methods.send, { message: v.userMessage('agtest: no version header') }, { id });
        // Without the header SendMessage is an unknown 0.3 method: an agent that answers unknown methods with no JSON-RPC
        // response at all fails method-not-found for that, once; this test waits for it (one fault, one failure).
        if (answer.response === undefined) {
          const probe = await rpc(t, v, rpcUrl, 'agtest/noSuchMethod', {});
          const methodNotFound = `${v.prefix}.jsonrpc.passive.method-not-found`;
          if (probe.response === undefined) t.block(`SendMessage without A2A-Version got HTTP ${answer.status} with no JSON-RPC response, and so does an unknown method (HTTP ${probe.status}: ${clip(probe.body, 80) || '(empty)'}): ${methodNotFound} judges that`, methodNotFound);
        }
        insist(t, commonRule(v, 'rpc.response'), answer.response !== undefined, `SendMessage without A2A-Version: HTTP ${answer.status}, and the body is not a JSON-RPC response object: ${clip(answer.body) || '(empty)'}`);
        const response = answer.response;
        if ('error' in response) return; // refused: 0.3 semantics, or a version this interface does not speak
        const shape = v.classify(response['result']);
        t.verify('empty-is-0.3', shape.kind === 'unknown', `SendMessage without A2A-Version was answered in the A2A 1.0 form (a ${shape.kind} wrapped as {${shape.kind === 'task' ? 'task' : shape.kind}: ...}): without the header the request is 0.3, which must be refused here or answered in the 0.3 form: ${clip(answer.body, 160)}`);
      },
    }),
    defineTest({
      name: 'missing-params',
      description: 'GetTask without id and SendMessage without message get error -32602 (Invalid params)',
      spec: 'A2A v1.0 §5.7 (SHOULD reject a missing REQUIRED field: GetTaskRequest.id, SendMessageRequest.message); §3.3.2 Validation Errors (JSON-RPC -32602)',
      rules: refusalRules(v, missing),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await rpcError(t, v, rpcUrl, v.methods.get, {}, 'GetTask without id', missing);
        await rpcError(t, v, rpcUrl, v.methods.send, {}, 'SendMessage without message', missing);
      },
    }),
  ];
}
