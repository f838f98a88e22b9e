import type { ReceivedFile } from '../../agtalk/index.js';
import { describeError } from '../../common/index.js';
import { EnvelopeError, looksLikeRfc0019, unpackRfc0019, type KeyPair } from '../../envelopes/index.js';
import type { Finding } from '../../profiles/index.js';
import type { JsonMessage, ReceivedMessage } from '../../suites/index.js';
import type { TestSession } from './test-session.js';
import type { Transcript } from './transcript.js';

export interface InboundDeps {
  /** agtest's run key and the keys made for single tests: envelopes to any of them are opened. */
  keys: KeyPair;
  testKeys: readonly KeyPair[];
  /** The test running now, if any: what arrives goes to it. */
  active(): TestSession | undefined;
  /** Which test wrote each outbox file (A2A records name the request file they answer). */
  sentBy: ReadonlyMap<string, string>;
  log(line: string): void;
  /** Where what arrives outside any test is kept. */
  strays: Transcript;
  addFinding(finding: Finding): Promise<void>;
}

/**
 * What the runner does with each inbox file: opens an envelope (so that every suite sees the
 * message inside, the envelope's facts alongside), reports what is not a message, a bad @type or a
 * duplicate @id as findings, and hands the message to the running test — or, outside any test,
 * keeps it as a stray and reports it.
 */
export function createInboundDelivery(deps: InboundDeps): (file: ReceivedFile) => Promise<void> {
  const seenIds = new Map<string, string>();
  return async (file) => {
    let message = file.json;
    let envelope: ReceivedMessage['envelope'];
    let envelopeError: ReceivedMessage['envelopeError'];
    // Judged by content: a plaintext message labelled as an envelope is a plaintext message (its
    // label is the transport checks' business), and an envelope is opened whatever its label.
    const plaintext = typeof (message as { '@type'?: unknown } | undefined)?.['@type'] === 'string';
    if (looksLikeRfc0019(message) || (file.extension === 'dee' && !plaintext)) {
      try {
        const opened = unpackRfc0019(message ?? file.bytes, [deps.keys, ...deps.testKeys]);
        const inner: unknown = JSON.parse(opened.message);
        envelope = { alg: opened.alg, recipient: opened.recipientVerkey, protected: opened.header, ...(opened.senderVerkey ? { sender: opened.senderVerkey } : {}) };
        message = inner;
      } catch (error) {
        const reason = error instanceof EnvelopeError ? `${error.code}: ${error.message}` : `the envelope holds no JSON message: ${describeError(error)}`;
        envelopeError = { code: error instanceof EnvelopeError ? error.code : 'ENVELOPE_MALFORMED', reason };
        await deps.addFinding({ kind: 'bad-envelope', message: `${file.name} could not be opened (${reason})`, file: file.name, test: deps.active()?.test });
      }
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      await deps.addFinding({ kind: 'unreadable-message', message: `${file.name} is not a JSON object message`, file: file.name, test: deps.active()?.test });
      return;
    }
    const type = (message as JsonMessage)['@type'];
    if (type !== undefined && typeof type !== 'string') {
      await deps.addFinding({ kind: 'bad-type', message: `${file.name} has an @type that is not a string (${JSON.stringify(type)?.slice(0, 80)})`, file: file.name, test: deps.active()?.test });
    }
    const id = (message as JsonMessage)['@id'];
    if (typeof id === 'string') {
      const earlier = seenIds.get(id);
      if (earlier) await deps.addFinding({ kind: 'duplicate', message: `message @id ${id} arrived twice (${earlier} and ${file.name})`, file: file.name, test: deps.active()?.test });
      seenIds.set(id, file.name);
    }
    // Read now, not before: the findings above may have awaited reporters while a test ended.
    const receiver = deps.active();
    // An A2A record answers the request file it names: one that comes after its test ended (an
    // event stream the agent never closed, cut at the adapter's stream timeout) is a consequence
    // that test already judged. Kept in the transcript of what came outside tests; no new finding.
    const request = (message as { a2a?: unknown; request?: unknown }).request;
    const owner = typeof (message as { a2a?: unknown }).a2a === 'string' && typeof request === 'string' ? deps.sentBy.get(request) : undefined;
    if (owner !== undefined && owner !== receiver?.test) {
      deps.strays.addMessage('received', file.name, file.bytes, message as JsonMessage);
      deps.log(`[agtest] ${file.name} (${String((message as JsonMessage)['a2a'])}) answers ${request} of ${owner}, which had ended: kept in transcripts/_outside-tests`);
      return;
    }
    if (!receiver) {
      const what = (message as JsonMessage)['@type'] ?? (message as JsonMessage)['a2a'];
      await deps.addFinding({ kind: 'unexpected-message', message: `${file.name} (${String(what)}) arrived outside any test`, file: file.name });
      deps.strays.addMessage('received', file.name, file.bytes, message as JsonMessage);
      return;
    }
    receiver.transcript.addMessage('received', file.name, file.bytes, message as JsonMessage, envelope ? (message as JsonMessage) : undefined);
    receiver.deliver({ file: file.name, message: message as JsonMessage, mediaType: file.mediaType, receivedAt: new Date(), ...(envelope ? { envelope } : {}), ...(envelopeError ? { envelopeError } : {}) });
  };
}
