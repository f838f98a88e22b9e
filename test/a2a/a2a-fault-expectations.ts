import type { FaultVerdict } from '../helpers/fault-verdicts.js';

/**
 * For every reference A2A agent fault: the tests it must make fail (with a reason naming the
 * violation), or, for SHOULD-level faults, the warnings it must raise while everything passes.
 */
export interface A2aFaultExpectation extends FaultVerdict {
  /** Runs the agent with --minimal (claims neither streaming nor push). */
  minimal?: boolean;
  /** Restricts the run to these tests (a fault that breaks everything, e.g. no card at all). */
  only?: string[];
}

const both = (suffix: string) => [`a2a.v1_0.${suffix}`, `a2a.v0_3.${suffix}`];

export const A2A_FAULT_EXPECTATIONS: A2aFaultExpectation[] = [
  { fault: 'legacy-card-path', only: both('card.passive.served'), failing: { tests: both('card.passive.served'), reason: /only at \/\.well-known\/agent\.json, the A2A v0\.2 path/ } },
  { fault: 'card-missing-skills', failing: { tests: both('card.passive.required-fields'), reason: /skills is missing/ } },
  { fault: 'card-no-top-level-url', failing: { tests: ['a2a.v0_3.card.passive.required-fields'], reason: /url is missing/ } },
  { fault: 'no-cache-headers', warnings: { tests: both('card.passive.caching'), text: /no Cache-Control/ } },
  { fault: 'parse-error-as-invalid-request', failing: { tests: both('jsonrpc.passive.parse-error'), reason: /expected error -32700, got -32600/ } },
  { fault: 'missing-method-invalid-params', failing: { tests: both('jsonrpc.passive.invalid-request'), reason: /requires -32600 Invalid Request; the agent answered -32602/ } },
  { fault: 'unknown-method-http-404', failing: { tests: both('jsonrpc.passive.method-not-found'), reason: /HTTP 404; a JSON-RPC response \(errors too\) comes with HTTP 200/ } },
  { fault: 'accept-bad-params', failing: { tests: both('jsonrpc.passive.invalid-params'), reason: /expected JSON-RPC error -32602, got a result/ } },
  { fault: 'answer-notifications', failing: { tests: both('jsonrpc.passive.notification-unanswered'), reason: /replied to a notification/ } },
  { fault: 'accept-any-version', failing: { tests: ['a2a.v1_0.jsonrpc.passive.version-unsupported'], reason: /expected error -32009/ } },
  { fault: 'required-extension-ignored', failing: { tests: ['a2a.v1_0.jsonrpc.passive.required-extension-enforced'], reason: /expected JSON-RPC error -32008/ } },
  { fault: 'serve-unclaimed-streaming', minimal: true, failing: { tests: both('jsonrpc.passive.streaming-unclaimed-refused'), reason: /text\/event-stream/ } },
  { fault: 'serve-unclaimed-push', minimal: true, failing: { tests: both('jsonrpc.passive.push-unclaimed-refused'), reason: /expected error -32003/ } },
  { fault: 'extended-card-unclaimed-served', failing: { tests: both('jsonrpc.passive.extended-card-unclaimed-refused'), reason: /expected JSON-RPC error -32004.*got a result/ } },
  {
    // A send result of no A2A shape breaks every test that starts from a send: all listed.
    fault: 'unwrapped-send-result',
    only: ['a2a.v1_0.message', 'a2a.v1_0.tasks', 'a2a.v0_3.message', 'a2a.v0_3.tasks'],
    failing: {
      tests: [
        ...both('message.passive.send-returns-task-or-message'),
        ...both('message.passive.blocking'),
        ...both('message.passive.non-blocking'),
        'a2a.v1_0.message.passive.context-id',
        ...both('tasks.passive.get'),
        ...both('tasks.passive.history-length'),
        ...both('tasks.passive.cancel'),
        ...both('tasks.passive.not-cancelable'),
        'a2a.v1_0.tasks.passive.list',
      ],
      reason: /must hold exactly one of task, message, statusUpdate, artifactUpdate; it holds none|kind is undefined/,
    },
  },
  { fault: 'blocking-returns-early', failing: { tests: both('message.passive.blocking'), reason: /it must wait for a terminal or interrupted state/ } },
  {
    fault: 'non-blocking-never-finishes',
    failing: { tests: [...both('message.passive.non-blocking'), ...both('push.passive.delivers')], reason: /still (TASK_STATE_WORKING|working) after|final state; none arrived/ },
  },
  { fault: 'ignore-client-context', failing: { tests: ['a2a.v1_0.message.passive.context-id'], reason: /the client gave contextId/ } },
  { fault: 'unknown-task-creates-new', failing: { tests: ['a2a.v1_0.message.passive.unknown-task-refused'], reason: /expected JSON-RPC error -32001/ } },
  { fault: 'get-unknown-returns-null', failing: { tests: both('tasks.passive.get-unknown'), reason: /expected JSON-RPC error -32001, got a result/ } },
  { fault: 'cancel-unknown-internal-error', failing: { tests: both('tasks.passive.cancel-unknown'), reason: /expected error -32001, got -32603/ } },
  { fault: 'get-context-changes', failing: { tests: both('tasks.passive.get'), reason: /was created in context .*; (GetTask|tasks\/get) says/ } },
  { fault: 'history-ignores-length', failing: { tests: both('tasks.passive.history-length'), reason: /historyLength 0 returned 2 history entries/ } },
  { fault: 'cancel-completed-succeeds', failing: { tests: both('tasks.passive.not-cancelable'), reason: /expected JSON-RPC error -32002/ } },
  { fault: 'cancel-ignored', failing: { tests: both('tasks.passive.cancel'), reason: /accepted the cancel of task .* but returned it (TASK_STATE_SUBMITTED|TASK_STATE_WORKING|submitted|working)/ } },
  { fault: 'list-without-page-token', failing: { tests: ['a2a.v1_0.tasks.passive.list'], reason: /nextPageToken is undefined; it MUST always be present/ } },
  { fault: 'stream-unclosed', failing: { tests: both('streaming.passive.events'), reason: /end of the event stream/ } },
  { fault: 'stream-claimed-not-served', failing: { tests: both('streaming.passive.events'), reason: /false advertising: the card claims streaming/ } },
  { fault: 'subscribe-terminal-streams', failing: { tests: ['a2a.v1_0.streaming.passive.subscribe-terminal-refused'], reason: /text\/event-stream/ } },
  { fault: 'push-claimed-not-served', failing: { tests: [...both('push.passive.set-config'), ...both('push.passive.config-lifecycle'), ...both('push.passive.delivers')], reason: /-32003/ } },
  { fault: 'push-v1-form-for-v03', failing: { tests: ['a2a.v0_3.push.passive.delivers'], reason: /created over A2A 0\.3, but its push notifications come in A2A 1\.0's form/ } },
  { fault: 'push-config-not-stored', failing: { tests: both('push.passive.config-lifecycle'), reason: /GetTaskPushNotificationConfig|tasks\/pushNotificationConfig\/get/ } },
  { fault: 'push-delete-ignored', failing: { tests: both('push.passive.config-lifecycle'), reason: /was deleted, yet .* still returns it/ } },
  { fault: 'push-never-sent', failing: { tests: both('push.passive.delivers'), reason: /push notification about task .* none arrived/ } },
];
