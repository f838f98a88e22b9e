// Credo 0.6.0-alpha as a mediator (its mediator module, on by default, granting without an operator):
// the three mediator junctions through examples/credo/agtest.mediator.config.json, one Credo process
// for all 11 tests. Its profile must equal the committed one (profiles/credo-0.6.0-alpha-mediator.json);
// AGTEST_UPDATE_PROFILE=1 rewrites it. Every verdict that is not a pass was read against the RFC
// text and Credo's code (examples/credo/README.md, "Credo as a mediator").
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfigFile, run } from '../../agtest/index.js';
import { DIDCOMM_V1_SUITE_URI } from '../../suites/index.js';
import { matchesCommitted } from '../helpers/committed-profile.js';
import { withTempDir } from '../helpers/reference-run.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'examples', 'credo');

t.test("Credo 0.6.0-alpha's mediator is certified and matches its committed profile", async (t) => {
  const config = await loadConfigFile(join(example, 'agtest.mediator.config.json'), example);
  const summary = await withTempDir((outDir) => run({ config, outDir }));
  t.same(Object.keys(summary.profile.profile).sort(), ['coordinate_mediation.1_0.passive', 'pickup.2_0.passive', 'routing.1_0.passive'], 'the three mediator junctions are scored');
  await matchesCommitted(t, 'credo-0.6.0-alpha-mediator.json', summary, DIDCOMM_V1_SUITE_URI);
  t.same(summary.findings, [], 'no findings');
});
