import { compareProfiles, IncomparableProfilesError, type Verdict } from '../../profiles/index.js';
import { createChalk } from '../reporters/console-reporter.js';
import type { AskOptions } from './ask-profile.js';
import { checkProfile, readProfileFile, type KnownSuite } from './check-profile.js';

/** `agtest profile validate FILE…`: 0 when every file is a valid profile, 1 otherwise. */
export async function validateProfiles(files: readonly string[], known: readonly KnownSuite[], out = process.stdout): Promise<number> {
  const c = createChalk(out);
  let invalid = 0;
  for (const file of files) {
    let value: unknown;
    try {
      value = await readProfileFile(file);
    } catch (error) {
      invalid++;
      out.write(`${c.red('✗')} ${file}: cannot be read as JSON (${error instanceof Error ? error.message : String(error)})\n`);
      continue;
    }
    const check = checkProfile(value, known);
    if (check.ok) {
      out.write(`${c.green('✓')} ${file}: valid profile of ${check.profile.test_suite} (${Object.keys(check.profile.profile).length} junctions)\n`);
      for (const note of check.notes) out.write(c.dim(`    note: ${note}\n`));
    } else {
      invalid++;
      out.write(`${c.red('✗')} ${file}: invalid\n`);
      for (const problem of check.problems) out.write(`    ${problem.path}: ${problem.message}\n`);
    }
  }
  return invalid === 0 ? 0 : 1;
}

/** `agtest profile compare A B`: the per-junction table and a per-cluster summary. */
export async function compareProfileFiles(fileA: string, fileB: string, known: readonly KnownSuite[], json: boolean, out = process.stdout): Promise<number> {
  const c = createChalk(out);
  const load = async (file: string) => {
    const check = checkProfile(await readProfileFile(file), known);
    if (!check.ok) throw new IncomparableProfilesError(`${file} is not a valid profile: ${check.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    return check.profile;
  };
  const a = await load(fileA);
  const b = await load(fileB);
  const suite = known.find((k) => k.uri === a.test_suite);
  const comparison = compareProfiles(a, b, suite?.suites.map((s) => s.junction) ?? []);
  if (json) {
    out.write(`${JSON.stringify(comparison, null, 2)}\n`);
    return 0;
  }
  const paint = (verdict: Verdict) => (verdict === 'interoperable' ? c.green(verdict) : verdict === 'constrained' ? c.yellow(verdict) : c.red(verdict));
  const width = Math.max(...comparison.junctions.map((j) => j.junction.length), 8);
  const column = Math.max(...comparison.junctions.flatMap((j) => [j.a.length, j.b.length]), 1);
  out.write(`${'junction'.padEnd(width)}  ${'A'.padEnd(column)}  ${'B'.padEnd(column)}  together\n`);
  for (const row of comparison.junctions) out.write(`${row.junction.padEnd(width)}  ${row.a.padEnd(column)}  ${row.b.padEnd(column)}  ${paint(row.verdict)}\n`);
  out.write('\n');
  for (const cluster of comparison.clusters) out.write(`${cluster.cluster}: A → B ${paint(cluster.aToB)}, B → A ${paint(cluster.bToA)}\n`);
  return 0;
}

/**
 * `agtest profile ask ENDPOINT --suite URI…`: prints each profile the agent sends back and checks
 * it like `validate`. 0 when every suite asked for came back as a valid profile; 1 when the agent
 * answered with a problem, left a suite out or sent an invalid profile. Transport failures throw.
 */
export async function askProfiles(options: AskOptions, known: readonly KnownSuite[], json: boolean, stdout = process.stdout, stderr = process.stderr): Promise<number> {
  // With --json, stdout is the answer alone (for jq); the verdicts go to stderr.
  const out = json ? stderr : stdout;
  const c = createChalk(out);
  // Asking brings the adapters and agtalk; validate and compare need neither.
  const { askForProfiles } = await import('./ask-profile.js');
  const reply = await askForProfiles(options);
  const body = reply.kind === 'didcomm' ? reply.message : reply.body;
  if (json) stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  const answers = (body as { answers?: unknown } | null)?.answers;
  if (!Array.isArray(answers)) {
    const problem = reply.kind === 'didcomm' ? reply.message['description'] : (body as { error?: unknown } | null)?.error;
    out.write(`${c.red('✗')} ${options.endpoint} answered with a problem: ${JSON.stringify(problem ?? body)}\n`);
    return 1;
  }
  let bad = 0;
  for (const suite of options.suites) {
    const answer = answers.find((a) => (a as { 'interop-profile'?: unknown } | null)?.['interop-profile'] === suite) as { profile?: unknown; problem?: unknown } | undefined;
    if (!answer?.profile) {
      bad++;
      out.write(`${c.red('✗')} ${suite}: ${answer ? `no profile (${JSON.stringify(answer.problem)})` : 'not answered'}\n`);
      continue;
    }
    const check = checkProfile(answer.profile, known);
    if (!check.ok) {
      bad++;
      out.write(`${c.red('✗')} ${suite}: the profile is invalid\n`);
      for (const problem of check.problems) out.write(`    ${problem.path}: ${problem.message}\n`);
      continue;
    }
    out.write(`${c.green('✓')} ${suite}: valid profile${check.profile.agent?.name ? ` of ${check.profile.agent.name}` : ''}\n`);
    if (!json) for (const [junction, score] of Object.entries(check.profile.profile)) out.write(`    ${junction.padEnd(32)} ${score}\n`);
  }
  return bad === 0 ? 0 : 1;
}
