/**
 * For every reference-agent fault: the tests it must make fail (with a reason that names the
 * violation), or, for SHOULD-level faults, the warning it must raise while everything passes.
 */
export interface FaultExpectation {
  fault: string;
  failing?: { tests: string[]; reason: RegExp };
  warning?: { test: string; text: RegExp };
}

export const FAULT_EXPECTATIONS: FaultExpectation[] = [
  { fault: 'uuid-only-ids', failing: { tests: ['message.v1.passive.accepts-well-formed'], reason: /non-UUID @id/ } },
  { fault: 'reject-unknown-fields', failing: { tests: ['message.v1.passive.tolerates-unknown-fields'], reason: /unknown fields/ } },
  { fault: 'reject-newer-minor', failing: { tests: ['message.v1.passive.tolerates-newer-minor'], reason: /trust_ping\/1\.1/ } },
  { fault: 'wrong-major-handling', failing: { tests: ['message.v1.passive.unknown-major'], reason: /processed a major version it does not support/ } },
  { fault: 'crash-on-unknown-major', failing: { tests: ['message.v1.passive.unknown-major'], reason: /stopped answering after an unsupported major version/ } },
  { fault: 'wrong-thid', failing: { tests: ['trust_ping.1_0.passive.responds'], reason: /thid .* expected the ping @id/ } },
  { fault: 'pong-when-not-requested', failing: { tests: ['trust_ping.1_0.passive.silent-when-not-requested'], reason: /response_requested: false/ } },
  { fault: 'silent-when-absent', failing: { tests: ['trust_ping.1_0.passive.responds-when-absent'], reason: /no response_requested field/ } },
  { fault: 'malformed-ping', failing: { tests: ['trust_ping.1_0.active.accepts-response', 'trust_ping.1_0.active.sends-ping'], reason: /no @id/ } },
  { fault: 'ignore-ping-response', failing: { tests: ['trust_ping.1_0.active.accepts-response'], reason: /does not show agtest's ping_response/ } },
  { fault: 'drop-basicmessage', failing: { tests: ['basicmessage.1_0.passive.receives'], reason: /does not show basicmessage/ } },
  { fault: 'wrong-content', failing: { tests: ['basicmessage.1_0.active.sends-content'], reason: /content is .*asked for/ } },
  { fault: 'bad-sent-time', failing: { tests: ['basicmessage.1_0.active.sent-time'], reason: /not ISO 8601 in UTC/ } },
  { fault: 'no-disclose', failing: { tests: ['discover_features.1_0.passive.discloses-claimed'], reason: /omits claimed protocol\(s\): basicmessage\/1\.x/ } },
  { fault: 'disclose-wrong-thid', failing: { tests: ['discover_features.1_0.passive.thread-id'], reason: /thid .* expected the query @id/ } },
  { fault: 'disclose-unknown-nonempty', failing: { tests: ['discover_features.1_0.passive.unknown-protocol-empty'], reason: /unknown protocol lists .* expected \[\]/ } },
  { fault: 'malformed-query', failing: { tests: ['discover_features.1_0.active.sends-query'], reason: /query field is undefined/ } },
  { fault: 'no-l10n', warning: { test: 'basicmessage.1_0.active.sends-content', text: /no ~l10n/ } },
  { fault: 'legacy-prefix', warning: { test: 'trust_ping.1_0.passive.responds', text: /legacy prefix/ } },
];
