import type { Suite } from '../define.js';
import { basicMessageActive, basicMessagePassive } from './basicmessage.js';
import { discoverFeaturesActive, discoverFeaturesPassive } from './discover-features.js';
import { messagePassive } from './message.js';
import { connectionsPassive } from './connections.js';
import { didExchangeActive, didExchangePassive } from './did-exchange.js';
import { outOfBandActive, outOfBandPassive } from './out-of-band.js';
import { trustPingActive, trustPingPassive } from './trust-ping.js';
import { TRANSPORTS, transportSuites } from '../transport/transport.js';
import { metaPassive } from '../meta/meta.js';
import { envelopeActive, envelopePassive } from '../envelope/rfc0019.js';
import { coordinateMediationPassive } from '../mediation/coordinate-mediation.js';
import { pickupPassive } from '../mediation/pickup.js';
import { routingPassive } from '../mediation/routing.js';

/** Suite content version: bump when a test is added, removed or changes its verdict rules. */
export const DIDCOMM_V1_SUITE_URI = 'urn:agtest:suite:didcomm-v1:0.8';

export const didcommV1Suites: readonly Suite[] = [
  messagePassive,
  trustPingPassive,
  trustPingActive,
  basicMessagePassive,
  basicMessageActive,
  discoverFeaturesPassive,
  discoverFeaturesActive,
  outOfBandActive,
  outOfBandPassive,
  didExchangePassive,
  didExchangeActive,
  connectionsPassive,
  // The agent as mediator (agtest is its client and a sender); they talk on a DID exchange connection.
  coordinateMediationPassive,
  routingPassive,
  pickupPassive,
  // Transport clusters use trust ping as their probe, so they belong to this suite.
  ...TRANSPORTS.flatMap(transportSuites),
  envelopePassive,
  envelopeActive,
  // Last: it compares what the agent says about itself with everything measured before it.
  metaPassive,
];
