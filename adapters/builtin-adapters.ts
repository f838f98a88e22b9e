import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgtestError } from '../common/index.js';

const BUILTIN_ADAPTERS = { http: 'http/main.js' } as const;

export type BuiltinAdapterName = keyof typeof BUILTIN_ADAPTERS;

/**
 * `[node, <absolute path of the compiled adapter>]`, so a built-in runs without PATH, npx or a
 * shell wherever agtest is installed. From TypeScript sources (tests under tsx) this file is
 * `<root>/adapters/`, not `<root>/dist/adapters/`, and the programs still run compiled.
 */
export function builtinAdapterCommand(name: BuiltinAdapterName): string[] {
  const adaptersDir = dirname(fileURLToPath(import.meta.url));
  const root = dirname(adaptersDir);
  const compiledAdapters = basename(root) === 'dist' ? adaptersDir : join(root, 'dist', 'adapters');
  const script = join(compiledAdapters, BUILTIN_ADAPTERS[name]);
  if (!existsSync(script)) {
    throw new AgtestError('AGTEST_ADAPTER_START_FAILED', `the built-in ${name} adapter is not built (${script} is missing): run npm run build`, { adapter: name, file: script });
  }
  return [process.execPath, script];
}

export function isBuiltinAdapterName(name: string): name is BuiltinAdapterName {
  return Object.hasOwn(BUILTIN_ADAPTERS, name);
}
