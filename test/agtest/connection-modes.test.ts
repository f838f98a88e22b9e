// How the run connects decides how every test travels: a DID exchange connection (envelopes with
// its keys), envelopes with keys from agact setup, or plaintext. Own file: three full runs.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { referenceAgentConfig, run } from '../../agtest/index.js';
import { FAST_TIMEOUTS, withTempDir } from '../helpers/reference-run.js';

t.test('claiming DID exchange or envelopes moves every test into RFC 0019 envelopes; without either the same tests run in plaintext', async (t) => {
  const filesOf = (dir: string, test: string) => readdir(join(dir, 'transcripts', test)).then((names) => names.filter((name) => name !== 'transcript.json' && !name.endsWith('.plaintext.json')));
  // connection: keys from DID exchange; setup-keys: envelopes claimed without DID exchange; plaintext: neither.
  for (const mode of ['connection', 'setup-keys', 'plaintext'] as const) {
    await withTempDir(async (outDir) => {
      const config = referenceAgentConfig({ transport: 'http' });
      const dropped = mode === 'connection' ? [] : mode === 'setup-keys' ? ['didexchange.'] : ['didexchange.', 'envelope.'];
      const claims = config.claims.filter((claim) => !dropped.some((prefix) => claim.startsWith(prefix)));
      // The tests looked at below (the first one makes the connection): not a full run.
      const only = ['message.v1.passive', 'trust_ping.1_0.passive.responds', 'basicmessage.1_0.active.sends-content'];
      const summary = await run({ config: { ...config, claims, only, timeouts: FAST_TIMEOUTS }, outDir });
      t.equal(summary.exitCode, 0, `${mode}: all interoperable ${JSON.stringify(summary.results.filter((r) => r.status !== 'pass').map((r) => [r.test, r.reason]))}`);
      const extension = mode === 'plaintext' ? /\.dm$/ : /\.dee$/;
      for (const test of ['trust_ping.1_0.passive.responds', 'basicmessage.1_0.active.sends-content', 'message.v1.passive.unknown-major']) {
        const files = await filesOf(outDir, test);
        t.ok(files.length > 0 && files.every((name) => extension.test(name)), `${mode}: ${test} sent and received only ${extension.source} files (${files.join(', ')})`);
      }
      const first = await readFile(join(outDir, 'transcripts', 'message.v1.passive.accepts-well-formed', 'transcript.json'), 'utf8');
      t.equal(first.includes('didexchange/1.1/request'), mode === 'connection', mode === 'connection' ? `${mode}: the first test makes the run's DID exchange connection` : `${mode}: no DID exchange connection is made`);
    });
  }
});
