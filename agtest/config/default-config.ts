import { dirname, join, resolve } from 'node:path';
import { distRoot } from '../../common/index.js';
import { a2aSuites } from '../../suites/index.js';
import { normalizeConfig, type HarnessConfig } from './load-config.js';
import type { BuiltinTransport } from './builtin-transports.js';

export const REFERENCE_AGENT_CLAIMS = [
  'message.v1.passive',
  'trust_ping.1_0.passive',
  'trust_ping.1_0.active',
  'basicmessage.1_0.passive',
  'basicmessage.1_0.active',
  'discover_features.1_0.passive',
  'discover_features.1_0.active',
  'out_of_band.1_1.active',
  'out_of_band.1_1.passive',
  'didexchange.1_1.passive',
  'didexchange.1_1.active',
  'envelope.rfc0019.passive',
  'envelope.rfc0019.active',
  'coordinate_mediation.1_0.passive',
  'routing.1_0.passive',
  'pickup.2_0.passive',
];

/** The reference agent's measured profile (all built-in transports), which it self-reports. */
export const REFERENCE_AGENT_PROFILE = join(dirname(distRoot()), 'profiles', 'reference-agent.json');

/**
 * Waits sized for the reference agent, which agtest starts on loopback and which answers in
 * milliseconds (p50 6–10 ms, worst seen 230 ms with the machine's 2 cores loaded 7×): the fault
 * matrices (test/agtest/faults-*.test.ts) run every reference-agent fault with exactly these, so
 * every verdict they prove holds at these waits. Another agent gets the defaults (DEFAULT_TIMEOUTS).
 */
export const REFERENCE_AGENT_TIMEOUTS = { testMs: 15_000, messageMs: 2_000, silenceMs: 500 } as const;

export { BUILTIN_TRANSPORTS, type BuiltinTransport } from './builtin-transports.js';

/**
 * The embedded default: the reference agent, started by agtest, over HTTP, driven through its
 * HTTP backchannel with agact-http. `faults` switches on named misbehaviours.
 */
export function referenceAgentConfig(options: { faults?: readonly string[]; transport?: BuiltinTransport } = {}): HarnessConfig {
  const faults = options.faults && options.faults.length > 0 ? ['--faults', options.faults.join(',')] : [];
  const transport = options.transport ?? 'http';
  // The agent self-reports the profile agtest measured for it (committed), so the meta cluster can
  // compare; with a fault on, that profile is no longer true, so it is served only to over-claim.
  const selfReports = faults.length === 0 || options.faults!.includes('over-claim');
  const profile = selfReports ? ['--profile', REFERENCE_AGENT_PROFILE] : [];
  return normalizeConfig(
    {
      agent: {
        name: 'agtest-reference-agent',
        command: ['agtest-reference-agent', ...(transport === 'http' ? [] : ['--transport', transport]), ...profile, ...faults],
        endpoint: '${ready.endpoint}',
      },
      transport: { adapter: transport },
      // One agact-http session for the run: a process per action was most of a run's time.
      agact: { command: ['agact-http', '--url', '${ready.backchannel}'], session: true },
      // The agent speaks every built-in transport; a run certifies the one it uses.
      // Pickup needs a return route (RFC 0092), which mail does not have: not claimed over SMTP.
      claims: [...REFERENCE_AGENT_CLAIMS.filter((claim) => transport !== 'smtp' || !claim.startsWith('pickup.')), `transport.${transport}.passive`, `transport.${transport}.active`, ...(selfReports ? ['meta.1_0.passive'] : [])],
      timeouts: { ...REFERENCE_AGENT_TIMEOUTS },
    },
    'built-in reference agent',
    resolve('.'),
  );
}

/** Every A2A junction: an A2A agent's card is its claim, so each test checks the card first. */
export const A2A_CLAIMS: readonly string[] = a2aSuites.map((suite) => suite.junction);

/**
 * An A2A agent at `address`: its base URL (card at /.well-known/agent-card.json, else the legacy
 * /.well-known/agent.json) or its Agent Card's own URL. The A2A adapter, no backchannel, every A2A
 * junction. What the card does not declare is not-run.
 */
export function a2aAgentConfig(address: string): HarnessConfig {
  return normalizeConfig({ suite: 'a2a', agent: { endpoint: address }, transport: { adapter: 'a2a' }, claims: [...A2A_CLAIMS] }, `A2A agent at ${address}`, resolve('.'));
}

/** The built-in reference A2A agent, started by agtest; `minimal` makes it claim no streaming or push. */
export function referenceA2aAgentConfig(options: { faults?: readonly string[]; minimal?: boolean } = {}): HarnessConfig {
  const faults = options.faults && options.faults.length > 0 ? ['--faults', options.faults.join(',')] : [];
  return normalizeConfig(
    {
      suite: 'a2a',
      agent: { name: 'agtest-reference-a2a-agent', command: ['agtest-reference-a2a-agent', ...(options.minimal ? ['--minimal'] : []), ...faults], endpoint: '${ready.endpoint}' },
      transport: { adapter: 'a2a' },
      claims: [...A2A_CLAIMS],
    },
    'built-in reference A2A agent',
    resolve('.'),
  );
}
