import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgtestError, describeError } from '../../common/index.js';

const LOCK = '.agtest.lock';
/** What a run writes into its output folder; a new run removes all of it before it starts. */
const RESULTS = ['profile.json', 'junit.xml', 'transcripts', 'agtalk', 'logs'];

export interface OutputFolder {
  /** Writes a result file under a temporary name and renames it into place. */
  writeResult(name: string, content: string): Promise<string>;
  release(): Promise<void>;
}

/**
 * Claims the output folder for this run: one run per folder at a time (a lock file naming its
 * pid; a lock whose process is gone is taken over), and the previous run's results removed
 * before anything is written, so that a failed run never leaves an older verdict beside its own.
 */
export async function claimOutputFolder(outDir: string): Promise<OutputFolder> {
  const lockPath = join(outDir, LOCK);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (cause) {
    throw new AgtestError('AGTEST_OUTPUT_FAILED', `cannot create output folder ${outDir}: ${describeError(cause)}`, { file: outDir, cause });
  }
  await takeLock(lockPath, outDir);
  try {
    for (const name of RESULTS) await rm(join(outDir, name), { recursive: true, force: true });
    await mkdir(join(outDir, 'transcripts'), { recursive: true });
  } catch (cause) {
    await rm(lockPath, { force: true });
    throw new AgtestError('AGTEST_OUTPUT_FAILED', `cannot prepare output folder ${outDir}: ${describeError(cause)}`, { file: outDir, cause });
  }
  return {
    async writeResult(name, content) {
      const path = join(outDir, name);
      const temporary = join(outDir, `.${name}.${process.pid}.tmp`);
      await writeFile(temporary, content);
      await rename(temporary, path);
      return path;
    },
    release: () => rm(lockPath, { force: true }),
  };
}

async function takeLock(lockPath: string, outDir: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AgtestError('AGTEST_OUTPUT_FAILED', `cannot lock output folder ${outDir}: ${describeError(error)}`, { file: lockPath, cause: error });
      }
    }
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new AgtestError('AGTEST_OUTPUT_LOCKED', `output folder ${outDir} is in use by another agtest run (pid ${holder}); wait for it, or give this run another --out`, { file: lockPath });
    }
    // The run that held it is gone (killed): its lock is stale.
    await rm(lockPath, { force: true });
  }
  throw new AgtestError('AGTEST_OUTPUT_LOCKED', `output folder ${outDir}: another run took the lock at the same moment; give this run another --out`, { file: lockPath });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
