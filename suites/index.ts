/** The test-writing API and the built-in suite content. */
export { defineSuite, defineTest, isMandatory, NEEDS_CREDENTIALS, REQUIREMENT_LEVELS, TestBlocked, TestFailure, TestSkipped } from './define.js';
export type {
  Suite,
  SuiteDefinition,
  TestDefinition,
  TestContext,
  Mode,
  JsonMessage,
  ReceivedMessage,
  MessageMatcher,
  ReceiveOptions,
  SilenceOptions,
  TransportEvent,
  TransportEventMatcher,
  EnvelopeOptions,
  DidTools,
  Identity,
  ResolvedDid,
  ConnectionInfo,
  Rule,
  RequirementLevel,
} from './define.js';
export { didcommV1Suites, DIDCOMM_V1_SUITE_URI } from './didcomm-v1/index.js';
export { parseMessageType, messageType, ofType, inThread, threadId, DIDCOMM_PREFIX, LEGACY_PREFIX } from './didcomm-v1/message-type.js';
export { a2aSuites, A2A_SUITE_URI } from './a2a/index.js';
/** For the runner's connection step: the same lenient invitation reading the connection tests use. */
export { createInvitationLeniently, invitationKey } from './didcomm-v1/out-of-band.js';
/** For the runner's connection step: the handshakes the connection tests speak, read the same way. */
export { chooseHandshake, handshakeComplete, handshakeName, handshakeOf, handshakeRequest, isHandshakeAnswer, readResponse } from './didcomm-v1/handshake.js';
export type { Handshake, PeerReading } from './didcomm-v1/handshake.js';
