import { a2aSuites } from '../../suites/index.js';
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
/** Every test of the junctions under `prefixes` but `except`: what an unusable card blocks. */
const testsUnder = (prefixes: readonly string[], except: readonly string[]) =>
  a2aSuites.flatMap((suite) => suite.tests.map((test) => `${suite.junction}.${test.name}`)).filter((name) => prefixes.some((p) => name.startsWith(p)) && !except.includes(name));

export const A2A_FAULT_EXPECTATIONS: A2aFaultExpectation[] = [
  // v0.3 §5.3 recommends the well-known path (SHOULD); v1.0 §8.2 only names it (policy): warnings, and the card is used.
  { fault: 'legacy-card-path', warnings: { tests: both('card.passive.served'), text: /only at \/\.well-known\/agent\.json, the A2A v0\.2 path/ } },
  {
    // A card invalid for both versions: their required-fields tests fail, once each; every other test waits for a card.
    fault: 'card-missing-skills',
    only: ['a2a.v1_0.card', 'a2a.v0_3.card', 'a2a.v1_0.jsonrpc.passive.method-not-found', 'a2a.v0_3.message.passive.send-returns-task-or-message'],
    failing: { tests: both('card.passive.required-fields'), reason: /skills is missing/ },
    blocked: {
      tests: ['caching', 'optional-members', 'signature-verifies'].map((name) => `a2a.v1_0.card.passive.${name}`).concat(both('card.passive.access'), ['a2a.v1_0.jsonrpc.passive.method-not-found', 'a2a.v0_3.message.passive.send-returns-task-or-message']),
      by: /^a2a\.v(1_0|0_3)\.card\.passive\.required-fields$/,
    },
  },
  {
    fault: 'card-no-top-level-url',
    only: ['a2a.v0_3'],
    failing: { tests: ['a2a.v0_3.card.passive.required-fields'], reason: /url is missing/ },
    blocked: { tests: testsUnder(['a2a.v0_3.'], both('card.passive.served').concat(both('card.passive.required-fields'))), by: /^a2a\.v0_3\.card\.passive\.required-fields$/ },
  },
  { fault: 'card-provider-no-url', failing: { tests: ['a2a.v1_0.card.passive.optional-members'], reason: /the card's provider lacks provider\.url/ } },
  { fault: 'card-scheme-two-kinds', failing: { tests: ['a2a.v1_0.card.passive.optional-members'], reason: /securitySchemes\.bearer holds httpAuthSecurityScheme and mtlsSecurityScheme/ } },
  { fault: 'card-scheme-missing-required', failing: { tests: ['a2a.v1_0.card.passive.optional-members'], reason: /securitySchemes\.key\.apiKeySecurityScheme\.name is missing \(REQUIRED\)/ } },
  { fault: 'card-oauth-two-flows', failing: { tests: ['a2a.v1_0.card.passive.optional-members'], reason: /flows holds clientCredentials and deviceCode/ } },
  { fault: 'card-signature-unprotected', failing: { tests: ['a2a.v1_0.card.passive.optional-members'], reason: /signatures\[0\]\.protected missing \(REQUIRED\)/ } },
  { fault: 'card-signature-no-kid', failing: { tests: ['a2a.v1_0.card.passive.optional-members'], reason: /signatures\[0\]'s protected header .* has no kid/ } },
  { fault: 'card-signature-typ-jwt', warnings: { tests: ['a2a.v1_0.card.passive.optional-members'], text: /protected header has typ "JWT", not "JOSE" \[SHOULD/ } },
  { fault: 'card-signed-not-canonical', failing: { tests: ['a2a.v1_0.card.passive.signature-verifies'], reason: /signature 1 \(alg EdDSA, kid "agtest-reference-a2a-1"\) does not verify over the JCS-canonical card/ } },
  { fault: 'no-cache-headers', warnings: { tests: ['a2a.v1_0.card.passive.caching'], text: /no Cache-Control/ } },
  { fault: 'parse-error-as-invalid-request', failing: { tests: both('jsonrpc.passive.parse-error'), reason: /expected error -32700, got -32600/ } },
  { fault: 'missing-method-invalid-params', failing: { tests: both('jsonrpc.passive.invalid-request'), reason: /expected error -32600, got -32602/ } },
  // Without A2A-Version, SendMessage is an unknown (0.3) method: version-empty-is-0.3 gets the 404 too, finds an unknown
  // method gets it as well, and waits for method-not-found (one fault, one failure).
  {
    fault: 'unknown-method-plain-404',
    failing: { tests: both('jsonrpc.passive.method-not-found'), reason: /HTTP 404, and the body is not a JSON-RPC response object: Not Found/ },
    blocked: { tests: ['a2a.v1_0.jsonrpc.passive.version-empty-is-0.3'], by: /^a2a\.v1_0\.jsonrpc\.passive\.method-not-found$/ },
  },
  { fault: 'object-id-echoed', failing: { tests: both('jsonrpc.passive.id-type'), reason: /with id \{"bad":"type"\}: expected error -32600, got -32001/ } },
  {
    // A "1.0" request is served: GetTask of an unknown id gets -32001. invalid-request-any-method, which needs a
    // "1.0" request refused at all to judge the order, waits for jsonrpc-version: one fault, one failure.
    fault: 'jsonrpc-version-ignored',
    failing: { tests: both('jsonrpc.passive.jsonrpc-version'), reason: /jsonrpc "1\.0".*expected error -32600, got -32001/ },
    blocked: { tests: both('jsonrpc.passive.invalid-request-any-method'), by: /^a2a\.v(1_0|0_3)\.jsonrpc\.passive\.jsonrpc-version$/ },
  },
  // -32602 also describes a string params (JSON-RPC 2.0 §5.1): a policy warning, -32600 preferred.
  { fault: 'params-type-unchecked', warnings: { tests: both('jsonrpc.passive.params-type'), text: /answered -32602 \(Invalid params\); the Request object itself is invalid, -32600 \[policy/ } },
  { fault: 'method-checked-first', failing: { tests: both('jsonrpc.passive.invalid-request-any-method'), reason: /expected error -32600, got -32601/ } },
  { fault: 'accept-bad-params', failing: { tests: both('jsonrpc.passive.invalid-params'), reason: /expected JSON-RPC error -32602, got a result/ } },
  { fault: 'answer-notifications', failing: { tests: both('jsonrpc.passive.notification-unanswered'), reason: /replied to a notification/ } },
  { fault: 'accept-any-version', failing: { tests: ['a2a.v1_0.jsonrpc.passive.version-unsupported'], reason: /expected error -32009/ } },
  { fault: 'required-extension-ignored', failing: { tests: ['a2a.v1_0.jsonrpc.passive.required-extension-enforced'], reason: /expected JSON-RPC error -32008/ } },
  // Capability refusals: MUST in v1.0 (§3.3.4), SHOULD in v0.3 (§8.2): v1.0 fails, v0.3 warns.
  {
    fault: 'serve-unclaimed-streaming',
    minimal: true,
    failing: { tests: ['a2a.v1_0.jsonrpc.passive.streaming-unclaimed-refused'], reason: /text\/event-stream/ },
    warnings: { tests: ['a2a.v0_3.jsonrpc.passive.streaming-unclaimed-refused'], text: /text\/event-stream with \d+ event\(s\).* \[SHOULD/ },
  },
  {
    // SubscribeToTask needs the capability too (v1.0 §3.1.6 / §3.3.4; v0.3 §7.9).
    fault: 'subscribe-unclaimed-served',
    minimal: true,
    failing: { tests: ['a2a.v1_0.jsonrpc.passive.streaming-unclaimed-refused'], reason: /SubscribeToTask of task .* without the capability: expected JSON-RPC error -32004, got HTTP 200 text\/event-stream/ },
    warnings: { tests: ['a2a.v0_3.jsonrpc.passive.streaming-unclaimed-refused'], text: /tasks\/resubscribe of task .* without the capability: .*text\/event-stream.*\[SHOULD/ },
  },
  {
    fault: 'serve-unclaimed-push',
    minimal: true,
    failing: { tests: ['a2a.v1_0.jsonrpc.passive.push-unclaimed-refused'], reason: /expected error -32003, got -32001/ },
    warnings: { tests: ['a2a.v0_3.jsonrpc.passive.push-unclaimed-refused'], text: /expected error -32003, got -32001.*\[SHOULD/ },
  },
  {
    fault: 'extended-card-unclaimed-served',
    failing: { tests: ['a2a.v1_0.jsonrpc.passive.extended-card-unclaimed-refused'], reason: /expected JSON-RPC error -32004, got a result/ },
    warnings: { tests: ['a2a.v0_3.jsonrpc.passive.extended-card-unclaimed-refused'], text: /expected JSON-RPC error -32004 or -32007, got a result.*\[SHOULD/ },
  },
  {
    // A send result of no A2A shape: send-returns-task-or-message fails; every other test that starts from a send
    // finds a plain send misshapen too and waits for it (one fault, one failure).
    fault: 'unwrapped-send-result',
    only: ['a2a.v1_0.message', 'a2a.v1_0.tasks', 'a2a.v0_3.message', 'a2a.v0_3.tasks'],
    failing: { tests: both('message.passive.send-returns-task-or-message'), reason: /must hold exactly one of task, message, statusUpdate, artifactUpdate; it holds none|kind is undefined/ },
    blocked: {
      tests: [
        ...both('message.passive.blocking'),
        ...both('message.passive.non-blocking'),
        'a2a.v1_0.message.passive.context-id',
        'a2a.v1_0.message.passive.follow-up-context',
        'a2a.v1_0.message.passive.send-history-length',
        'a2a.v1_0.message.passive.object-members',
        ...both('message.passive.terminal-task-refused'),
        ...both('tasks.passive.get'),
        ...both('tasks.passive.history-length'),
        ...both('tasks.passive.cancel'),
        ...both('tasks.passive.not-cancelable'),
        'a2a.v1_0.tasks.passive.list',
        'a2a.v1_0.tasks.passive.list-pagination',
        'a2a.v1_0.tasks.passive.list-default-page-size',
        'a2a.v1_0.tasks.passive.list-filters',
        'a2a.v1_0.tasks.passive.list-order',
        'a2a.v1_0.tasks.passive.list-history-length',
        'a2a.v1_0.tasks.passive.list-artifacts',
      ],
      by: /^a2a\.v(1_0|0_3)\.message\.passive\.send-returns-task-or-message$/,
    },
  },
  { fault: 'blocking-returns-early', failing: { tests: both('message.passive.blocking'), reason: /it must wait for a terminal or interrupted state/ } },
  {
    // How long a task runs is the agent's business (policy warning); a push config is owed the final state.
    fault: 'non-blocking-never-finishes',
    failing: { tests: both('push.passive.delivers'), reason: /final state; none arrived/ },
    // delivers-credentials finds a config without authentication gets no final state either: delivers carries it.
    blocked: { tests: ['a2a.v1_0.push.passive.delivers-credentials'], by: /^a2a\.v1_0\.push\.passive\.delivers$/ },
    warnings: { tests: both('message.passive.non-blocking'), text: /still running after 4000 ms/ },
  },
  { fault: 'terminal-task-takes-messages', failing: { tests: both('message.passive.terminal-task-refused'), reason: /naming (TASK_STATE_COMPLETED|completed) task .*: expected JSON-RPC error .*got a result/ } },
  {
    // The list tests make their tasks in one context, by giving its id back: they wait for context-id.
    fault: 'ignore-client-context',
    failing: { tests: ['a2a.v1_0.message.passive.context-id'], reason: /the client gave contextId/ },
    blocked: { tests: ['pagination', 'default-page-size', 'filters', 'order'].map((name) => `a2a.v1_0.tasks.passive.list-${name}`), by: /^a2a\.v1_0\.message\.passive\.context-id$/ },
  },
  // Sends and streams share the lookup: a streamed message naming an unknown task starts one too.
  { fault: 'unknown-task-creates-new', failing: { tests: ['a2a.v1_0.message.passive.unknown-task-refused', 'a2a.v1_0.streaming.passive.stream-task-refused'], reason: /expected JSON-RPC error -32001/ } },
  { fault: 'get-unknown-returns-null', failing: { tests: both('tasks.passive.get-unknown'), reason: /expected JSON-RPC error -32001, got a result/ } },
  // v1.0 §5.4 makes the code a MUST; v0.3 §8.2 a SHOULD.
  {
    fault: 'cancel-unknown-internal-error',
    failing: { tests: ['a2a.v1_0.tasks.passive.cancel-unknown'], reason: /expected error -32001, got -32603/ },
    warnings: { tests: ['a2a.v0_3.tasks.passive.cancel-unknown'], text: /expected error -32001, got -32603.*\[SHOULD/ },
  },
  { fault: 'get-context-changes', failing: { tests: both('tasks.passive.get'), reason: /was created in context .*; (GetTask|tasks\/get) says/ } },
  { fault: 'history-ignores-length', failing: { tests: both('tasks.passive.history-length'), reason: /historyLength 0 returned 2 history entries/ } },
  // v1.0: the refusal is a MUST. v0.3: a SHOULD (warning), but the completed task then reads canceled: a terminal state is final.
  { fault: 'cancel-completed-succeeds', failing: { tests: both('tasks.passive.not-cancelable'), reason: /expected JSON-RPC error -32002, got a result|a terminal state is final/ } },
  { fault: 'cancel-ignored', failing: { tests: both('tasks.passive.cancel'), reason: /accepted the cancel of task .* but returned it (TASK_STATE_SUBMITTED|TASK_STATE_WORKING|submitted|working)/ } },
  // No nextPageToken on any page, the final one too: the list test carries it ("MUST always be present"); the
  // pagination tests, with nothing to walk, wait for it: one fault, one failure.
  {
    fault: 'list-without-page-token',
    failing: { tests: ['a2a.v1_0.tasks.passive.list'], reason: /nextPageToken is undefined; it MUST always be present/ },
    blocked: { tests: ['a2a.v1_0.tasks.passive.list-pagination', 'a2a.v1_0.tasks.passive.list-default-page-size'], by: /^a2a\.v1_0\.tasks\.passive\.list$/ },
  },
  // No paging at all (pageSize ignored, every task on one page): list-pagination fails; a default page size means
  // something only for an agent that pages, so list-default-page-size waits for it.
  {
    fault: 'list-ignores-page-size',
    failing: { tests: ['a2a.v1_0.tasks.passive.list-pagination'], reason: /ListTasks with pageSize 1 returned 3 tasks/ },
    blocked: { tests: ['a2a.v1_0.tasks.passive.list-default-page-size'], by: /^a2a\.v1_0\.tasks\.passive\.list-pagination$/ },
  },
  // Pages as asked, but 100 without pageSize: list-default-page-size alone (all 51 listed, so "" is the right token).
  { fault: 'list-default-page-size-100', failing: { tests: ['a2a.v1_0.tasks.passive.list-default-page-size'], reason: /^ListTasks without pageSize returned 51 tasks; at most 50 \[MUST/ } },
  { fault: 'list-ignores-filters', failing: { tests: ['a2a.v1_0.tasks.passive.list-filters'], reason: /with status TASK_STATE_INPUT_REQUIRED listed 2 tasks.*with statusTimestampAfter .* lists task .*, whose status timestamp is earlier/ } },
  { fault: 'list-ascending', failing: { tests: ['a2a.v1_0.tasks.passive.list-order'], reason: /ListTasks order .*the last updated first is/ } },
  { fault: 'list-history-ignores-length', failing: { tests: ['a2a.v1_0.tasks.passive.list-history-length'], reason: /with historyLength 1 lists more history entries: .* \(2\)/ } },
  { fault: 'list-artifacts-by-default', failing: { tests: ['a2a.v1_0.tasks.passive.list-artifacts'], reason: /without includeArtifacts lists tasks with an artifacts field/ } },
  {
    fault: 'list-accepts-invalid-params',
    failing: { tests: ['a2a.v1_0.tasks.passive.list-invalid-params'], reason: /\{"pageSize":0\}: expected JSON-RPC error -32602, got a result.*\{"pageSize":150\}.*\{"historyLength":-1\}.*TASK_STATE_AGTEST_UNKNOWN.*agtest-never-issued.*not-a-timestamp/ },
  },
  { fault: 'stream-unclosed', failing: { tests: both('streaming.passive.events'), reason: /end of the event stream/ } },
  { fault: 'events-after-final', failing: { tests: both('streaming.passive.events'), reason: /event \d+ \(artifact-update\) came after event \d+, which (put the task in TASK_STATE_COMPLETED|had final: true)/ } },
  // Every streaming request refused with -32004 while the card claims streaming: events carries the false claim, once
  // per version; the other streaming tests, refused where a stream or -32001 was due, find the events test's own
  // request refused too and wait for it. subscribe-terminal-refused passes: -32004 is its due answer.
  {
    fault: 'stream-claimed-not-served',
    failing: { tests: both('streaming.passive.events'), reason: /false advertising: the card claims streaming, but (SendStreamingMessage|message\/stream) answered HTTP 200 application\/json error -32004/ },
    blocked: { tests: ['subscribe-task-first', 'stream-task-refused', 'subscribe-unknown-refused'].map((name) => `a2a.v1_0.streaming.passive.${name}`), by: /^a2a\.v1_0\.streaming\.passive\.events$/ },
  },
  { fault: 'subscribe-terminal-streams', failing: { tests: ['a2a.v1_0.streaming.passive.subscribe-terminal-refused'], reason: /text\/event-stream/ } },
  // Every push-config call refused with -32003 while the card claims push: set-config carries the false claim, once per
  // version (v1.0 §3.1.7 "MUST establish a webhook endpoint"; v0.3 §7.5); every other push test, refused where it
  // needed a config (or -32001, -32602), finds set-config's own request refused too and waits for it.
  {
    fault: 'push-claimed-not-served',
    failing: { tests: both('push.passive.set-config'), reason: /false advertising: the card claims push notifications, but (CreateTaskPushNotificationConfig|tasks\/pushNotificationConfig\/set) answered error -32003/ },
    blocked: {
      tests: [
        ...both('push.passive.config-lifecycle'),
        ...both('push.passive.config-unknown'),
        ...both('push.passive.delivers'),
        ...['config-url-required', 'config-unknown-task', 'config-delete-idempotent', 'delivers-credentials'].map((name) => `a2a.v1_0.push.passive.${name}`),
      ],
      by: /^a2a\.v(1_0|0_3)\.push\.passive\.set-config$/,
    },
  },
  { fault: 'push-v1-form-for-v03', failing: { tests: ['a2a.v0_3.push.passive.delivers'], reason: /created over A2A 0\.3, but its push notifications come in A2A 1\.0's form/ } },
  { fault: 'push-config-not-stored', failing: { tests: both('push.passive.config-lifecycle'), reason: /GetTaskPushNotificationConfig|tasks\/pushNotificationConfig\/get/ } },
  // A delete that removes nothing: config-lifecycle carries it; config-delete-idempotent finds one delete leaves the config
  // and waits for it (whether a second delete is idempotent cannot be judged then).
  {
    fault: 'push-delete-ignored',
    failing: { tests: both('push.passive.config-lifecycle'), reason: /was deleted, yet .* still returns it/ },
    blocked: { tests: ['a2a.v1_0.push.passive.config-delete-idempotent'], by: /^a2a\.v1_0\.push\.passive\.config-lifecycle$/ },
  },
  // v1.0 §5.4 makes the code a MUST; v0.3 §8.2 a SHOULD.
  {
    fault: 'push-unknown-config-internal-error',
    failing: { tests: ['a2a.v1_0.push.passive.config-unknown'], reason: /of config agtest-unknown-.* \(never created\) .*: expected error -32001, got -32603/ },
    warnings: { tests: ['a2a.v0_3.push.passive.config-unknown'], text: /expected error -32001, got -32603.*\[SHOULD/ },
  },
  {
    fault: 'push-never-sent',
    failing: { tests: both('push.passive.delivers'), reason: /push notification about task .* none arrived/ },
    blocked: { tests: ['a2a.v1_0.push.passive.delivers-credentials'], by: /^a2a\.v1_0\.push\.passive\.delivers$/ },
  },
  // §14.2.1 makes the header Major.Minor, so refusing 1.0.1 is a policy warning, not a failure.
  { fault: 'version-patch-refused', warnings: { tests: ['a2a.v1_0.jsonrpc.passive.version-patch-ignored'], text: /A2A-Version 1\.0\.1 was refused with -32009.*\[policy/ } },
  { fault: 'version-by-method-name', failing: { tests: ['a2a.v1_0.jsonrpc.passive.version-empty-is-0.3'], reason: /without A2A-Version was answered in the A2A 1\.0 form/ } },
  { fault: 'missing-params-unchecked', failing: { tests: ['a2a.v1_0.jsonrpc.passive.missing-params'], reason: /GetTask without id: expected error -32602, got -32001.*SendMessage without message: expected error -32602, got -32603/ } },
  { fault: 'blocking-without-artifacts', failing: { tests: ['a2a.v1_0.message.passive.blocking'], reason: /returned TASK_STATE_COMPLETED task .* without artifact\(s\) .*which GetTask lists/ } },
  { fault: 'send-ignores-history-length', failing: { tests: ['a2a.v1_0.message.passive.send-history-length'], reason: /SendMessage with historyLength 0 returned task .* with 2 history entries/ } },
  { fault: 'part-two-contents', failing: { tests: ['a2a.v1_0.message.passive.object-members'], reason: /part 1 holds text and data of text, raw, url, data/ } },
  { fault: 'artifact-without-id', failing: { tests: ['a2a.v1_0.message.passive.object-members'], reason: /artifact 1 of task .* has no artifactId/ } },
  { fault: 'timestamp-with-offset', failing: { tests: ['a2a.v1_0.message.passive.object-members'], reason: /status\.timestamp "[^"]+\+00:00", not an ISO 8601 UTC time ending in Z/ } },
  { fault: 'task-id-from-text', failing: { tests: ['a2a.v1_0.message.passive.object-members'], reason: /two sends of the same text without a taskId both returned task task-/ } },
  // Answering with a Message is legal; the tasks the other tests need are then not-run.
  // The text asks for it with a lower-case "must" only (v1.0 §4.1.4; §3.4.1 makes generating a contextId a MAY): a policy warning.
  { fault: 'message-reply-without-context', only: ['a2a.v1_0.card', 'a2a.v1_0.message'], warnings: { tests: ['a2a.v1_0.message.passive.object-members'], text: /the agent's Message has no contextId \[policy/ } },
  { fault: 'update-without-context', failing: { tests: ['a2a.v1_0.streaming.passive.events'], reason: /event \d+ \(status-update\) has no contextId/ } },
  { fault: 'stream-unknown-task-creates-new', failing: { tests: ['a2a.v1_0.streaming.passive.stream-task-refused'], reason: /SendStreamingMessage naming task agtest-unknown-.* \(never issued\).*expected JSON-RPC error/ } },
  { fault: 'stream-terminal-task-streams', failing: { tests: ['a2a.v1_0.streaming.passive.stream-task-refused'], reason: /SendStreamingMessage naming TASK_STATE_COMPLETED task .*expected JSON-RPC error -32004, got HTTP 200 text\/event-stream/ } },
  { fault: 'subscribe-first-status-update', failing: { tests: ['a2a.v1_0.streaming.passive.subscribe-task-first'], reason: /SubscribeToTask of task .*: the first event is a status-update, not the Task/ } },
  { fault: 'context-mismatch-accepted', failing: { tests: ['a2a.v1_0.message.passive.follow-up-context'], reason: /SendMessage naming task .* with contextId agtest-other-context-.*: expected JSON-RPC error \(any code\), got a result/ } },
  { fault: 'follow-up-new-context', failing: { tests: ['a2a.v1_0.message.passive.follow-up-context'], reason: /a follow-up naming only task .* was answered in context .*; the task's context is/ } },
  { fault: 'error-details-untyped', failing: { tests: ['a2a.v1_0.jsonrpc.passive.error-details'], reason: /error\.data\[0\] has no @type/ } },
  // Rejecting a missing REQUIRED field is a SHOULD (v1.0 §5.7): a warning.
  { fault: 'push-config-without-url-accepted', warnings: { tests: ['a2a.v1_0.push.passive.config-url-required'], text: /without url for task .*: expected JSON-RPC error -32602, got a result.*\[SHOULD, A2A v1\.0 §5\.7/ } },
  { fault: 'push-create-unknown-task-accepted', failing: { tests: ['a2a.v1_0.push.passive.config-unknown-task'], reason: /CreateTaskPushNotificationConfig for task agtest-unknown-.* \(never issued\): expected JSON-RPC error -32001, got a result/ } },
  { fault: 'push-delete-unknown-task-accepted', failing: { tests: ['a2a.v1_0.push.passive.config-unknown-task'], reason: /DeleteTaskPushNotificationConfig on task agtest-unknown-.* \(never issued\): expected JSON-RPC error -32001, got a result/ } },
  { fault: 'push-delete-twice-removes-another', failing: { tests: ['a2a.v1_0.push.passive.config-delete-idempotent'], reason: /deleting config .* a second time removed config .* too/ } },
  { fault: 'push-credentials-not-sent', failing: { tests: ['a2a.v1_0.push.passive.delivers-credentials'], reason: /came with Authorization undefined; its config asked for Bearer agtest-/ } },
  // v1.0 §3.3.2 / v0.3 §4.4: a card that requires a token, an agent that serves without one.
  { fault: 'auth-not-enforced', failing: { tests: both('card.passive.access'), reason: /(SendMessage|message\/send) without credentials was served \(HTTP 200.*though the card requires security \(bearer, http bearer.*\[MUST, A2A v(1\.0 §3\.3\.2|0\.3 §4\.4)/ } },
  {
    // v1.0 §7.4 / v0.3 §4.4: it authenticates against requirements its card does not declare. The
    // access probe fails, once per version; every other call is blocked by it (never failed).
    fault: 'auth-undeclared',
    only: ['a2a.v1_0.card', 'a2a.v0_3.card', 'a2a.v1_0.jsonrpc.passive.method-not-found', 'a2a.v1_0.streaming.passive.events', 'a2a.v0_3.message.passive.send-returns-task-or-message'],
    failing: { tests: both('card.passive.access'), reason: /refused with HTTP 401 .*unauthenticated.*the agent card declares no security scheme.*\[MUST, A2A v(1\.0 §7\.4|0\.3 §4\.4)/ },
    blocked: { tests: ['a2a.v1_0.jsonrpc.passive.method-not-found', 'a2a.v1_0.streaming.passive.events', 'a2a.v0_3.message.passive.send-returns-task-or-message'], by: /^a2a\.v(1_0|0_3)\.card\.passive\.access$/ },
  },
  { fault: 'subscribe-unknown-internal-error', failing: { tests: ['a2a.v1_0.streaming.passive.subscribe-unknown-refused'], reason: /expected error -32001, got -32603/ } },
];
