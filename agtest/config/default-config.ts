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

/** Transports both agtest and the reference agent speak; one switch changes the whole run. */
export const BUILTIN_TRANSPORTS = ['http'] as const;
export type BuiltinTransport = (typeof BUILTIN_TRANSPORTS)[number];

/**
 * The embedded default: the reference agent, started by agtest, over HTTP, driven through its
 * HTTP backchannel with agact-http. `faults` switches on named misbehaviours.
 */
export function referenceAgentConfig(options: { faults?: readonly string[]; transport?: BuiltinTransport } = {}): HarnessConfig {
  const faults = options.faults && options.faults.length > 0 ? ['--faults', options.faults.join(',')] : [];
  const transport = options.transport ?? 'http';
  return normalizeConfig(
    {
      agent: {
        name: 'agtest-reference-agent',
        command: ['agtest-reference-agent', ...(transport === 'http' ? [] : ['--transport', transport]), ...faults],
        endpoint: '${ready.endpoint}',
      },
      transport: { adapter: transport },
      agact: { command: ['agact-http', '--url', '${ready.backchannel}'] },
      claims: REFERENCE_AGENT_CLAIMS,
    },
    'built-in reference agent',
    resolve('.'),
  );
}
