import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/agtest/cli.js', import.meta.url));

/** Runs the real CLI; MARK tags every process it starts so a test can look for leftovers. */
export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const mark = randomUUID();
  const result = await execa(process.execPath, [CLI, ...args], {
    reject: false,
    cwd: options.cwd,
    env: { NO_COLOR: '1', AGTEST_TEST_MARK: mark, ...options.env },
    timeout: 120_000,
  });
  return { ...result, mark };
}

/** Processes still alive whose environment carries the mark (Linux /proc). */
export async function processesWithMark(mark: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.includes(`AGTEST_TEST_MARK=${mark}`)) found.push(Number(entry));
  }
  return found;
}
