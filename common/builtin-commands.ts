import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { AgtestError } from './errors.js';

/** The programs agtest ships, by the bin name a config may use as `command[0]`. */
const BUILTIN_PROGRAMS = {
  'agact-http': 'agact/http-main.js',
  'agtest-adapter-http': 'adapters/http/main.js',
  'agtest-adapter-ws': 'adapters/ws/main.js',
  'agtest-adapter-smtp': 'adapters/smtp/main.js',
  'agtest-adapter-a2a': 'adapters/a2a/main.js',
  'agtest-reference-a2a-agent': 'reference-agent/a2a/main.js',
  'agtest-reference-agent': 'reference-agent/main.js',
} as const;

export type BuiltinProgram = keyof typeof BUILTIN_PROGRAMS;

/**
 * The compiled tree: this file is either `<root>/dist/common/` (installed, compiled) or
 * `<root>/common/` (run from source by tests), and programs always run compiled.
 */
export function distRoot(): string {
  const parent = fileURLToPath(new URL('..', import.meta.url));
  return /[\\/]dist[\\/]?$/.test(parent) ? parent : join(parent, 'dist');
}

export function isBuiltinProgram(name: string): name is BuiltinProgram {
  return Object.hasOwn(BUILTIN_PROGRAMS, name);
}

/** `[node, <absolute path>]` so that a built-in runs without PATH or npx. */
export function builtinCommand(name: BuiltinProgram): string[] {
  const script = join(distRoot(), BUILTIN_PROGRAMS[name]);
  if (!existsSync(script)) throw new AgtestError('AGTEST_INTERNAL', `${name} is not built (${script} is missing): run npm run build`, { file: script });
  return [process.execPath, script];
}

/** Replaces a leading built-in bin name by its `[node, script]` pair; other commands are kept. */
export function resolveCommand(command: readonly string[]): string[] {
  const [first, ...rest] = command;
  return first !== undefined && isBuiltinProgram(first) ? [...builtinCommand(first), ...rest] : [...command];
}
