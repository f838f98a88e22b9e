import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, TestResult } from '../../profiles/index.js';

/** Replaces every credential in a text by `[redacted]`; the identity when there are none. */
export type Redact = (text: string) => string;

export const REDACTED = '[redacted]';

/**
 * A redactor for the credential header values of a run. Each value is hidden whole, and so is its
 * credentials part after an auth scheme (`Bearer <token>`: the token alone), since an agent that
 * quotes what it refused quotes the token; both also as they look inside a JSON string. Longest
 * first, so a value is never half-hidden by a shorter one inside it.
 */
export function createRedactor(values: readonly string[]): Redact {
  const secrets = new Set<string>();
  for (const value of values) {
    const parts = [value, /^\S+\s+(\S.*)$/.exec(value)?.[1]];
    for (const part of parts) {
      if (!part) continue;
      secrets.add(part);
      secrets.add(JSON.stringify(part).slice(1, -1));
    }
  }
  if (secrets.size === 0) return (text) => text;
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
}

export function redactResult(result: TestResult, redact: Redact): TestResult {
  return {
    ...result,
    ...(result.reason !== undefined ? { reason: redact(result.reason) } : {}),
    ...(result.failures ? { failures: result.failures.map(redact) } : {}),
    warnings: result.warnings.map(redact),
  };
}

export function redactFinding(finding: Finding, redact: Redact): Finding {
  return { ...finding, message: redact(finding.message) };
}

/**
 * The last sweep of a run with credentials: any file of the output folder that still holds one
 * (an inbox record left unread when the run stopped, a quarantined garbage file: what no writer
 * redacted) is rewritten redacted. Files that hold none are not touched.
 */
export async function scrubFolder(dir: string, redact: Redact): Promise<number> {
  let rewritten = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) rewritten += await scrubFolder(path, redact);
    if (!entry.isFile()) continue;
    const text = await readFile(path, 'utf8');
    const kept = redact(text);
    if (kept === text) continue;
    await writeFile(path, kept);
    rewritten += 1;
  }
  return rewritten;
}
