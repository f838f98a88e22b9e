/**
 * The rules every A2A exchange is judged by, with their level from the spec text (A2A v1.0.0,
 * A2A v0.3.0, JSON-RPC 2.0). Tests list the ones they use in their `rules`; helpers judge them.
 */
import type { Rule, TestContext } from '../define.js';
import type { A2aVersion } from './protocol-version.js';

type CommonRuleId =
  | 'rpc.content-type'
  | 'rpc.response'
  | 'rpc.id'
  | 'rpc.error-object'
  | 'rpc.result-status'
  | 'result.shape'
  | 'task.members'
  | 'message.members';

const COMMON: Record<A2aVersion['id'], Record<CommonRuleId, Rule>> = {
  '1.0': {
    'rpc.content-type': { id: 'rpc.content-type', level: 'MUST', cite: 'A2A v1.0 §9.1 Protocol Requirements (Content-Type application/json for requests and responses)', text: 'A JSON-RPC response comes as application/json' },
    'rpc.response': { id: 'rpc.response', level: 'MUST', cite: 'JSON-RPC 2.0 §5 Response object; A2A v1.0 §9', text: 'The body is a JSON-RPC 2.0 Response object: jsonrpc "2.0" and exactly one of result and error' },
    'rpc.id': { id: 'rpc.id', level: 'MUST', cite: "JSON-RPC 2.0 §5 (id: MUST be the same as the request's, null if it could not be detected)", text: "The response carries the request's id" },
    'rpc.error-object': { id: 'rpc.error-object', level: 'MUST', cite: 'JSON-RPC 2.0 §5.1 Error object; A2A v1.0 §9.5', text: 'An error object has an integer code and a string message' },
    'rpc.result-status': { id: 'rpc.result-status', level: 'policy', cite: 'agtest policy: RFC 9110 §15.3 (2xx means success); no A2A or JSON-RPC text fixes the HTTP status', text: 'A successful result comes with an HTTP 2xx status' },
    'result.shape': { id: 'result.shape', level: 'MUST', cite: 'A2A v1.0 §3.1.1 (outputs a Task or a Message), §9.4.1 (result holds task or message)', text: 'A send result holds exactly one of task and message' },
    'task.members': { id: 'task.members', level: 'MUST', cite: 'A2A v1.0 §4.1.1 Task (id, contextId, status REQUIRED), §4.1.3 TaskState, §5.5 (ProtoJSON enum names)', text: 'A Task has an id, a contextId and a status.state that is a v1.0 TaskState' },
    'message.members': { id: 'message.members', level: 'MUST', cite: 'A2A v1.0 §4.1.4 Message (messageId, role, parts REQUIRED)', text: 'A Message from the agent has a messageId, role ROLE_AGENT and at least one part' },
  },
  '0.3': {
    'rpc.content-type': { id: 'rpc.content-type', level: 'MUST', cite: 'A2A v0.3 §7 ("The Content-Type for JSON-RPC responses is application/json")', text: 'A JSON-RPC response comes as application/json' },
    'rpc.response': { id: 'rpc.response', level: 'MUST', cite: 'A2A v0.3 §7 (the response body MUST be a JSONRPCResponse object); JSON-RPC 2.0 §5', text: 'The body is a JSON-RPC 2.0 Response object: jsonrpc "2.0" and exactly one of result and error' },
    'rpc.id': { id: 'rpc.id', level: 'MUST', cite: "JSON-RPC 2.0 §5 (id: MUST be the same as the request's, null if it could not be detected); A2A v0.3 §6.11", text: "The response carries the request's id" },
    'rpc.error-object': { id: 'rpc.error-object', level: 'MUST', cite: 'JSON-RPC 2.0 §5.1 Error object; A2A v0.3 §6.12 JSONRPCError', text: 'An error object has an integer code and a string message' },
    'rpc.result-status': { id: 'rpc.result-status', level: 'policy', cite: 'agtest policy: RFC 9110 §15.3 (2xx means success); no A2A or JSON-RPC text fixes the HTTP status', text: 'A successful result comes with an HTTP 2xx status' },
    'result.shape': { id: 'result.shape', level: 'MUST', cite: 'A2A v0.3 §7.1 message/send (result: Task | Message, tagged by kind)', text: 'A send result is a Task or a Message (kind "task" or "message")' },
    'task.members': { id: 'task.members', level: 'MUST', cite: 'A2A v0.3 §6.1 Task (id, contextId, status required), §6.3 TaskState', text: 'A Task has an id, a contextId and a status.state that is a v0.3 TaskState' },
    'message.members': { id: 'message.members', level: 'MUST', cite: 'A2A v0.3 §6.4 Message (messageId, role, parts required)', text: 'A Message from the agent has a messageId, role "agent" and at least one part' },
  },
};

/** The rules of one JSON-RPC exchange. */
export const RPC_RULES: readonly CommonRuleId[] = ['rpc.content-type', 'rpc.response', 'rpc.id', 'rpc.error-object', 'rpc.result-status'];
/** The rules of a send whose result is read: the exchange plus the Task / Message shapes. */
export const SEND_RULES: readonly CommonRuleId[] = [...RPC_RULES, 'result.shape', 'task.members', 'message.members'];

export function commonRule(v: A2aVersion, id: CommonRuleId): Rule {
  return COMMON[v.id][id];
}

/** A test's rules: its own, then the common ones its helpers judge. */
export function rulesOf(v: A2aVersion, own: readonly Rule[], common: readonly CommonRuleId[] = RPC_RULES): Rule[] {
  return [...own, ...common.map((id) => COMMON[v.id][id])];
}

/** How a failed rule reads, the same way verify writes it. */
export function cited(rule: Rule, reason: string): string {
  return `${reason} [${rule.level}, ${rule.cite}]`;
}

/**
 * A MUST the rest of the test cannot go on without (a response that is no JSON-RPC object, a
 * result of no A2A shape): the test stops here, failed, with the rule's level and citation.
 */
export function insist(t: TestContext, rule: Rule, condition: unknown, reason: string): asserts condition {
  t.check(condition, cited(rule, reason));
}

/**
 * The two rules of a call that must be refused: that an error comes at all (`refused`) and with
 * which code (`code`). v1.0 makes the A2A codes MUST (§5.4); v0.3 makes them SHOULD (§8.2).
 */
export interface Refusal {
  refused: Rule;
  /** Absent when the text names no code (any JSON-RPC error will do). */
  code?: Rule;
  codes: readonly number[];
}

/**
 * A2A-specific error codes: v1.0 §5.4 "MUST be mapped" to the JSON-RPC codes of its table;
 * v0.3 §8.2 "Servers SHOULD use these codes where applicable".
 */
export function a2aCodeRule(v: A2aVersion, id: string, name: string, codes: readonly number[]): Rule {
  return v.id === '1.0'
    ? { id, level: 'MUST', cite: `A2A v1.0 §5.4 Error Code Mappings (${name} → ${codes.join(' / ')})`, text: `The error code is ${codes.join(' or ')} (${name})` }
    : { id, level: 'SHOULD', cite: `A2A v0.3 §8.2 A2A-Specific Errors ("Servers SHOULD use these codes") (${name} → ${codes.join(' / ')})`, text: `The error code is ${codes.join(' or ')} (${name})` };
}

/** The rules of a refusal test: its own two, then `extra`, then those of the exchange. */
export function refusalRules(v: A2aVersion, refusal: Refusal, extra: readonly Rule[] = [], common: readonly CommonRuleId[] = RPC_RULES): Rule[] {
  return rulesOf(v, [refusal.refused, ...(refusal.code ? [refusal.code] : []), ...extra], common);
}
