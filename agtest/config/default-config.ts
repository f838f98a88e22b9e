import { resolve } from 'node:path';
import { normalizeConfig, type HarnessConfig } from './load-config.js';

export const REFERENCE_AGENT_CLAIMS = [
  'message.v1.passive',
  'trust_ping.1_0.passive',
  'trust_ping.1_0.active',
  'basicmessage.1_0.passive',
  'basicmessage.1_0.active',
  'discover_features.1_0.passive',
  'discover_features.1_0.active',
];

/**
 * The embedded default: the reference agent, started by agtest, over HTTP, driven through its
 * HTTP backchannel with agact-http. `faults` switches on named misbehaviours.
 */
export function referenceAgentConfig(options: { faults?: readonly string[] } = {}): HarnessConfig {
  const faults = options.faults && options.faults.length > 0 ? ['--faults', options.faults.join(',')] : [];
  return normalizeConfig(
    {
      agent: {
        name: 'agtest-reference-agent',
        command: ['agtest-reference-agent', ...faults],
        endpoint: '${ready.endpoint}',
      },
      transport: { adapter: 'http' },
      agact: { command: ['agact-http', '--url', '${ready.backchannel}'] },
      claims: REFERENCE_AGENT_CLAIMS,
    },
    'built-in reference agent',
    resolve('.'),
  );
}
