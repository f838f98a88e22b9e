/**
 * One server per database file. node-sqlite3-wasm locks with a `<db>.lock` directory for the length
 * of a statement; a server killed (-9) inside one leaves it behind, and every later statement
 * would be "database is locked" forever. The server therefore claims the file with `<db>.owner`
 * (its pid): a claim whose process is gone is stale, and so is any lock left with it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AgtestError } from '../../common/index.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours to signal, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims the file; returns what was cleaned up (for the log) and the release function. */
export function claimDatabase(file: string): { cleaned: string[]; release(): void } {
  const owner = `${file}.owner`;
  const cleaned: string[] = [];
  if (existsSync(owner)) {
    const pid = Number(readFileSync(owner, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new AgtestError('AGTEST_SERVE_DB_FAILED', `${file} is in use by another agtest serve (pid ${pid}); stop it or use another --db`, { file });
    }
    cleaned.push(`a stale claim by pid ${pid}`);
    if (existsSync(`${file}.lock`)) {
      rmSync(`${file}.lock`, { recursive: true, force: true });
      cleaned.push('the SQLite lock it left');
    }
  }
  writeFileSync(owner, `${process.pid}\n`);
  return {
    cleaned,
    release: () => rmSync(owner, { force: true }),
  };
}
