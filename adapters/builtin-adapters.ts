import { builtinCommand, type BuiltinProgram } from '../common/index.js';

const BUILTIN_ADAPTERS = { http: 'agtest-adapter-http', ws: 'agtest-adapter-ws', smtp: 'agtest-adapter-smtp', a2a: 'agtest-adapter-a2a' } as const satisfies Record<string, BuiltinProgram>;

export type BuiltinAdapterName = keyof typeof BUILTIN_ADAPTERS;

/** `[node, <absolute path of the compiled adapter>]`: runs without PATH, npx or a shell. */
export function builtinAdapterCommand(name: BuiltinAdapterName): string[] {
  return builtinCommand(BUILTIN_ADAPTERS[name]);
}

export function isBuiltinAdapterName(name: string): name is BuiltinAdapterName {
  return Object.hasOwn(BUILTIN_ADAPTERS, name);
}
