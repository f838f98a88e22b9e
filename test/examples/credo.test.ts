// A real third-party DIDComm agent: Credo (credo-ts 0.6.0-alpha, installed by npm ci from the
// root package.json) in examples/credo, certified through its own harness config, out-of-band +
// DID exchange + RFC 0019 envelopes included. Its profile must equal the committed one
// (profiles/credo-0.6.0-alpha.json, shown in the README); AGTEST_UPDATE_PROFILE=1 rewrites it.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfigFile, run } from '../../agtest/index.js';
import { DIDCOMM_V1_SUITE_URI } from '../../suites/index.js';
import { matchesCommitted } from '../helpers/committed-profile.js';
import { withTempDir } from '../helpers/reference-run.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'examples', 'credo');

t.test('Credo 0.6.0-alpha is certified through examples/credo and matches its committed profile', async (t) => {
  const config = await loadConfigFile(join(example, 'agtest.config.json'), example);
  const summary = await withTempDir((outDir) => run({ config, outDir }));
  await matchesCommitted(t, 'credo-0.6.0-alpha.json', summary, DIDCOMM_V1_SUITE_URI);
  t.same(summary.findings, [], 'no findings');
  // The connection is real: Credo answered agtest's DID exchange and every test ran inside it.
  const connected = summary.results.filter((r) => r.test.startsWith('didexchange.1_1.passive.') && r.status === 'pass');
  t.equal(connected.length, 7, 'DID exchange as responder: the three response checks, complete, a newer-minor request and both refusals pass');
});
