import { ReferenceAgentError } from '../errors.js';

/**
 * Named misbehaviours of the reference A2A agent. Each breaks the rule one A2A check exists
 * for, so a test can prove the check catches it (test/a2a/a2a-fault-expectations.ts).
 */
export const A2A_FAULTS = {
  'legacy-card-path': 'serves its card only at /.well-known/agent.json (the v0.2 path)',
  'card-missing-skills': 'the card has no skills (a required member in 0.3 and 1.0)',
  'card-no-top-level-url': 'the card has no top-level url (required in 0.3)',
  'card-provider-no-url': 'the card\'s provider has no url (REQUIRED in v1.0)',
  'card-scheme-two-kinds': 'a security scheme of the card holds two kinds (httpAuthSecurityScheme and mtlsSecurityScheme)',
  'card-scheme-missing-required': 'the card\'s API key security scheme has no name (REQUIRED)',
  'card-oauth-two-flows': 'the card\'s OAuth2 scheme holds two flows',
  'card-signature-unprotected': 'the card\'s signature has no protected header (REQUIRED)',
  'card-signature-no-kid': 'the protected header of the card\'s signature has no kid',
  'card-signature-typ-jwt': 'the protected header of the card\'s signature has typ JWT, not JOSE (SHOULD: warning only)',
  'card-signed-not-canonical': 'the card is signed over its JSON as served, not the RFC 8785 canonical form',
  'no-cache-headers': 'the card response has no Cache-Control and no ETag (SHOULD: warning only)',
  'parse-error-as-invalid-request': 'answers a body that is not JSON with -32600 instead of -32700',
  'missing-method-invalid-params': 'answers a request without method with -32602 instead of -32600 (as @a2a-js/sdk 1.3.0 does in 1.0)',
  'unknown-method-plain-404': 'answers an unknown method with HTTP 404 and a plain-text body, no JSON-RPC error (a 404 with a correct error body would be fine)',
  'object-id-echoed': 'processes a request whose id is an object or an array, and echoes that id back (instead of -32600 with id null)',
  'jsonrpc-version-ignored': 'serves a request whose jsonrpc is not "2.0" instead of answering -32600',
  'params-type-unchecked': 'lets a request whose params is a string reach its method, which answers -32602 instead of -32600 (a policy warning)',
  'method-checked-first': 'looks the method up before judging the request: an invalid request of an unknown method gets -32601, not -32600',
  'accept-bad-params': 'takes a message that is a string as text instead of answering -32602',
  'answer-notifications': 'answers notifications (requests without id) with a JSON-RPC response',
  'accept-any-version': 'serves any A2A-Version as 1.0 instead of answering -32009',
  'required-extension-ignored': 'its card marks an extension required but it serves requests that do not declare it',
  'serve-unclaimed-streaming': 'streams although its card does not claim streaming (with --minimal)',
  'subscribe-unclaimed-served': 'serves SubscribeToTask with a stream although its card does not claim streaming (with --minimal; SendMessage streaming is refused)',
  'serve-unclaimed-push': 'accepts push configs although its card does not claim push (with --minimal)',
  'extended-card-unclaimed-served': 'serves an extended card although its card does not claim one',
  'unwrapped-send-result': 'SendMessage returns the bare Task (v1.0: no {"task": ...} wrapper; v0.3: no kind)',
  'blocking-returns-early': 'a blocking send returns the task while it is still working',
  'non-blocking-never-finishes': 'tasks sent non-blocking stay working for ever',
  'ignore-client-context': 'gives every task a new contextId, even when the client sent one',
  'unknown-task-creates-new': 'a message naming an unknown taskId starts a new task instead of -32001',
  'get-unknown-returns-null': 'GetTask of an unknown id returns result null instead of -32001',
  'cancel-unknown-internal-error': 'CancelTask of an unknown id answers -32603 instead of -32001',
  'get-context-changes': 'GetTask reports a different contextId than the task was created in',
  'history-ignores-length': 'GetTask returns the whole history whatever historyLength says',
  'cancel-completed-succeeds': 'CancelTask of a completed task "cancels" it instead of -32002',
  'cancel-ignored': 'CancelTask of a running task answers with the task still working, and it goes on to complete',
  'list-without-page-token': 'ListTasks leaves out nextPageToken',
  'list-ignores-page-size': 'ListTasks returns every task whatever pageSize says (none without it either), and no page token to walk',
  'list-default-page-size-100': 'ListTasks without pageSize returns up to 100 tasks (a2a.proto page_size: "If unspecified, at most 50")',
  'list-ignores-filters': 'ListTasks ignores the status and statusTimestampAfter filters (contextId still filters)',
  'list-ascending': 'ListTasks lists the least recently updated task first',
  'list-history-ignores-length': 'ListTasks lists each task with its whole history whatever historyLength says',
  'list-artifacts-by-default': 'ListTasks includes artifacts although includeArtifacts is not true',
  'list-accepts-invalid-params': 'ListTasks serves invalid parameters as if absent (pageSize 0, -1, 150, a negative historyLength, an unknown status, a garbage pageToken, a bad timestamp)',
  'stream-unclosed': 'keeps the SSE stream open after the task completed',
  'terminal-task-takes-messages': 'a message naming a completed task is answered with the task instead of an error',
  'events-after-final': 'a stream goes on after the final status update: one more artifact update, then it closes',
  'stream-claimed-not-served': 'its card claims streaming but streaming requests get -32004',
  'subscribe-terminal-streams': 'SubscribeToTask on a completed task streams it instead of -32004',
  'push-claimed-not-served': 'its card claims push notifications but push configs get -32003',
  'push-v1-form-for-v03': 'notifies tasks created over 0.3 in the 1.0 form (as @a2a-js/sdk 1.3.0 does)',
  'push-config-not-stored': 'GetTaskPushNotificationConfig never finds a config it created',
  'push-delete-ignored': 'DeleteTaskPushNotificationConfig answers success but keeps the config',
  'push-unknown-config-internal-error': 'GetTaskPushNotificationConfig of a config id it never created answers -32603 instead of -32001',
  'push-never-sent': 'takes push configs but never notifies the webhook',
  'version-patch-refused': 'refuses A2A-Version 1.0.1 with -32009 instead of serving it as 1.0 (policy: warning only)',
  'version-by-method-name': 'without an A2A-Version header, serves a v1.0 method name as 1.0 (the header alone picks the version; empty is 0.3)',
  'missing-params-unchecked': 'looks a GetTask without id up as an unknown task (-32001) and crashes on a SendMessage without message (-32603), instead of -32602',
  'blocking-without-artifacts': 'a blocking SendMessage returns the completed task without its artifacts (v1.0)',
  'send-ignores-history-length': 'SendMessage returns the whole history whatever configuration.historyLength says',
  'part-two-contents': 'v1.0 artifact parts hold both text and data',
  'artifact-without-id': 'v1.0 artifacts of a task have no artifactId',
  'timestamp-with-offset': 'v1.0 status timestamps carry +00:00 instead of Z',
  'task-id-from-text': 'derives a new task\'s id from its text: the same text sent twice gets the same task id (the first task is replaced)',
  'message-reply-without-context': 'answers a v1.0 SendMessage with a Message (legal) that has no contextId',
  'update-without-context': 'v1.0 streamed status updates have no contextId',
  'stream-unknown-task-creates-new': 'a streaming message naming an unknown taskId starts a new task instead of -32001',
  'stream-terminal-task-streams': 'a streaming message naming a completed task is streamed (the task again) instead of -32004',
  'push-config-without-url-accepted': 'CreateTaskPushNotificationConfig without url creates a config (with an empty url) instead of -32602',
  'push-create-unknown-task-accepted': 'CreateTaskPushNotificationConfig naming a task never issued returns a config instead of -32001',
  'push-delete-unknown-task-accepted': 'DeleteTaskPushNotificationConfig naming a task never issued answers success instead of -32001',
  'push-delete-twice-removes-another': 'deleting a push config that is already gone removes another config of the task',
  'push-credentials-not-sent': 'notifies the webhook without the Authorization its push config\'s authentication asks for',
  'error-details-untyped': 'v1.0 error details (error.data) lack @type',
  'subscribe-first-status-update': 'SubscribeToTask streams a status update first instead of the Task',
  'context-mismatch-accepted': 'takes a message naming a running task with another contextId instead of refusing it',
  'follow-up-new-context': 'answers a v1.0 follow-up that names only its taskId with the task in a new contextId',
  'subscribe-unknown-internal-error': 'SubscribeToTask of an unknown id answers -32603 instead of -32001',
  'auth-not-enforced': 'its card requires a bearer token (securityRequirements) but it serves every call without one',
  'auth-undeclared': 'refuses every JSON-RPC call without Authorization: Bearer agtest-undeclared-token with HTTP 401, while its card declares no security scheme',
} as const;

export type A2aFault = keyof typeof A2A_FAULTS;

export function isA2aFault(name: string): name is A2aFault {
  return Object.hasOwn(A2A_FAULTS, name);
}

export function validateA2aFaults(names: readonly string[]): A2aFault[] {
  const unknown = names.filter((name) => !isA2aFault(name));
  if (unknown.length > 0) throw new ReferenceAgentError('UNKNOWN_FAULT', `unknown A2A fault(s): ${unknown.join(', ')}; known: ${Object.keys(A2A_FAULTS).join(', ')}`);
  return names as A2aFault[];
}
