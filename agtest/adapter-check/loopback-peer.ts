import { AgtestError, describeError } from '../../common/index.js';
import { startReferenceAgent, type ReferenceAgentTransport, type RunningReferenceAgent } from '../../reference-agent/index.js';

/**
 * The agent at the far end of an adapter under check: the reference agent, in this process, on
 * 127.0.0.1, read and driven through its backchannel. It can go away and come back on the same
 * endpoint, to see what the adapter does with a peer that is down.
 */
export class LoopbackPeer {
  private constructor(
    private agent: RunningReferenceAgent | undefined,
    readonly transport: ReferenceAgentTransport,
    /** Kept across restarts: the agent comes back where it was. */
    readonly endpoint: string,
  ) {}

  static async start(transport: ReferenceAgentTransport = 'http'): Promise<LoopbackPeer> {
    const agent = await startReferenceAgent({ name: 'loopback-peer', transport });
    return new LoopbackPeer(agent, transport, agent.endpoint);
  }

  /** The same endpoint with a port nobody listens on. */
  endpointOnPort(port: number): string {
    const url = new URL(this.endpoint);
    url.port = String(port);
    return url.href;
  }

  async stop(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await agent?.close();
  }

  async restart(): Promise<void> {
    await this.stop();
    this.agent = await startReferenceAgent({ name: 'loopback-peer', transport: this.transport, port: Number(new URL(this.endpoint).port) });
  }

  /** Points the peer's replies and own messages at the adapter's inbound endpoint; forgets what it received. */
  async setup(endpoint: string): Promise<void> {
    await this.act('setup', { endpoint });
  }

  /** `content` of every basicmessage the peer received since setup, in arrival order. */
  async receivedContents(): Promise<string[]> {
    const answer = (await this.act('received', { type: 'https://didcomm.org/basicmessage/1.0/message' })) as { messages?: { content?: unknown }[] };
    return (answer.messages ?? []).map((message) => String(message.content));
  }

  async sendMessage(content: string): Promise<void> {
    await this.act('send-message', { content });
  }

  private async act(action: string, params: Record<string, unknown>): Promise<unknown> {
    if (!this.agent) throw new AgtestError('AGTEST_PEER_FAILED', `the loopback peer is stopped (action ${action})`);
    try {
      const response = await fetch(this.agent.backchannel, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action, params }) });
      const body = (await response.json()) as unknown;
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body)}`);
      return body;
    } catch (cause) {
      throw new AgtestError('AGTEST_PEER_FAILED', `the loopback peer's backchannel failed on ${action}: ${describeError(cause)}`, { cause });
    }
  }
}
