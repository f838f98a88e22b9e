// `npm test`'s pretest: the build, then the checks that do not depend on one another side by side
// (2 cores: type-checking the tests and linting are each one busy core for seconds). Each step's
// output is printed whole when it ends, so that two steps never interleave; the first failure is
// named and fails the run.
import { execa } from 'execa';
import { performance } from 'node:perf_hooks';

const npmRun = (script) => ({ name: `npm run ${script}`, file: 'npm', args: ['run', '--silent', script] });
// tap rebuilds itself when its configured plugins (package.json "tap") differ from what npm
// installed, but only for the run after the one that noticed: built here, the first run is right.
const tapBuild = { name: 'tap build', file: 'npx', args: ['--no-install', 'tap', 'build'] };

async function step({ name, file, args }) {
  const started = performance.now();
  const result = await execa(file, args, { all: true, reject: false });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`> ${name} (${seconds} s)\n${result.all ? `${result.all}\n` : ''}`);
  return result.exitCode === 0 ? undefined : `${name} exited with ${result.exitCode ?? result.signal}`;
}

const failed = (await step(npmRun('build'))) ?? (await Promise.all([npmRun('typecheck'), npmRun('lint'), tapBuild].map(step))).find(Boolean);
if (failed) {
  process.stderr.write(`pretest failed: ${failed}\n`);
  process.exitCode = 1;
}
