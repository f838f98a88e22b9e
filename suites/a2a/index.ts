import type { Suite } from '../define.js';
import { cardSuite } from './card.js';
import { jsonrpcSuite } from './jsonrpc.js';
import { messageSuite } from './message.js';
import { A2A_V0_3, A2A_V1_0 } from './protocol-version.js';
import { pushSuite } from './push.js';
import { streamingSuite } from './streaming.js';
import { tasksSuite } from './tasks.js';

/** URI of the A2A suite content; bump the version when tests change. */
export const A2A_SUITE_URI = 'urn:agtest:suite:a2a:0.7';

/** Every A2A cluster for v1.0, then v0.3. All passive: the A2A agent answers, agtest asks. */
export const a2aSuites: readonly Suite[] = [A2A_V1_0, A2A_V0_3].flatMap((version) => [
  cardSuite(version),
  jsonrpcSuite(version),
  messageSuite(version),
  tasksSuite(version),
  streamingSuite(version),
  pushSuite(version),
]);
