import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdapterCommand, launchAdapter, type BuiltinAdapterName } from '../../adapters/index.js';
import { createMessageWriter, watchMessages } from '../../agtalk/index.js';
import { AgtestError, describeError } from '../../common/index.js';
import { createKeyPair, didKeyToVerkey, looksLikeRfc0019, packRfc0019, unpackRfc0019 } from '../../envelopes/index.js';
import { AGENT_METADATA_TYPES } from '../../profiles/index.js';

export interface AskOptions {
  endpoint: string;
  suites: readonly string[];
  /** A built-in adapter carries a DIDComm request; `plain` POSTs the plain JSON form instead. */
  transport: BuiltinAdapterName | 'plain';
  timeoutMs: number;
  /** The agent's key (did:key or base58 verkey): the request goes in an Authcrypt envelope to it. */
  to?: string;
}

/** What came back: the DIDComm reply, or the plain JSON body. */
export type AskReply = { kind: 'didcomm'; message: Record<string, unknown> } | { kind: 'plain'; status: number; body: unknown };

/**
 * Sends one agent-metadata request and waits for its answer. Over an adapter the request asks
 * for the reply on the same connection (`~transport.return_route: "all"`, RFC 0092), since an
 * agent that does not know agtest has nowhere else to send it.
 */
export async function askForProfiles(options: AskOptions): Promise<AskReply> {
  const what = options.suites.map((suite) => ({ 'interop-profile': suite }));
  if (options.transport === 'plain') return askPlain(options.endpoint, what, options.timeoutMs);
  const dir = await mkdtemp(join(tmpdir(), 'agtest-ask-'));
  await Promise.all([mkdir(join(dir, 'inbox')), mkdir(join(dir, 'outbox'))]);
  const id = randomUUID();
  // Agents that take only encrypted messages are asked in an envelope from a one-off key.
  const recipient = options.to === undefined ? undefined : options.to.startsWith('did:key:') ? didKeyToVerkey(options.to) : options.to;
  const keys = recipient === undefined ? undefined : await createKeyPair();
  let settle: (message: Record<string, unknown>) => void = () => undefined;
  const replied = new Promise<Record<string, unknown>>((resolve) => (settle = resolve));
  const reader = await watchMessages(join(dir, 'inbox'), {
    onMessage: (file) => {
      let message = file.json as Record<string, unknown> | undefined;
      if (keys && looksLikeRfc0019(message)) {
        try {
          message = JSON.parse(unpackRfc0019(message, [keys]).message) as Record<string, unknown>;
        } catch {
          // Not ours or not readable: not the answer, which may still come.
          return;
        }
      }
      const thread = message?.['~thread'] as { thid?: unknown } | undefined;
      if (thread?.thid === id) settle(message!);
    },
  });
  let adapter;
  try {
    adapter = await launchAdapter({ name: options.transport, command: builtinAdapterCommand(options.transport), outbox: join(dir, 'outbox'), inbox: join(dir, 'inbox'), target: options.endpoint });
    const request = { '@type': AGENT_METADATA_TYPES.request, '@id': id, what, '~transport': { return_route: 'all' } };
    const writer = await createMessageWriter(join(dir, 'outbox'));
    if (keys && recipient !== undefined) await writer.write(JSON.stringify(packRfc0019(JSON.stringify(request), [recipient], keys)), 'dee');
    else await writer.write(JSON.stringify(request), 'dm');
    let timer: NodeJS.Timeout | undefined;
    const exited = adapter.exited.then((exit): never => {
      throw new AgtestError('AGTEST_ADAPTER_EXITED', `the ${options.transport} adapter stopped before an answer came: ${exit.stderrTail.trim().split('\n').at(-1) ?? exit.exitCode}`, { adapter: options.transport });
    });
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new AgtestError('AGTEST_ASK_TIMEOUT', `no answer from ${options.endpoint} within ${options.timeoutMs} ms`, { timedOut: true })), options.timeoutMs);
    });
    try {
      return { kind: 'didcomm', message: await Promise.race([replied, exited, late]) };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await adapter?.stop();
    await reader.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function askPlain(endpoint: string, what: object[], timeoutMs: number): Promise<AskReply> {
  try {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ what }), signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Reported as it came: the caller says it is not the answer the protocol defines.
    }
    return { kind: 'plain', status: response.status, body };
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
    throw new AgtestError(timedOut ? 'AGTEST_ASK_TIMEOUT' : 'AGTEST_AGENT_UNREACHABLE', `cannot ask ${endpoint}: ${timedOut ? `no answer within ${timeoutMs} ms` : describeError(cause)}`, { cause, timedOut });
  }
}
