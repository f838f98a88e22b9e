import { performance } from 'node:perf_hooks';
import { createKeyPair, loadCrypto, packRfc0019, unpackRfc0019 } from '../envelopes/index.js';
import { LatencyRecorder, type LatencySummary } from './stats.js';

/**
 * What RFC 0019 adds per message, apart from any transport: pack then unpack of a trust ping
 * (Authcrypt and Anoncrypt, one recipient), timed one by one.
 */
export async function measureEnvelopeCost(count: number, warmup: number): Promise<LatencySummary[]> {
  await loadCrypto();
  const [sender, recipient] = await Promise.all([createKeyPair(), createKeyPair()]);
  const message = JSON.stringify({ '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': 'bench', response_requested: true });
  const summaries: LatencySummary[] = [];
  for (const [label, from] of [['rfc0019 authcrypt pack+unpack', sender], ['rfc0019 anoncrypt pack+unpack', undefined]] as const) {
    const recorder = new LatencyRecorder(label);
    for (let i = 0; i < warmup + count; i++) {
      const started = performance.now();
      const unpacked = unpackRfc0019(packRfc0019(message, [recipient.verkey], from), [recipient]);
      const elapsed = performance.now() - started;
      if (unpacked.message !== message) throw new Error(`${label}: round ${i} came back different`);
      if (i >= warmup) recorder.recordMs(elapsed);
    }
    summaries.push(recorder.summary());
  }
  return summaries;
}
