export { AgtestError, isAgtestError, describeError } from './errors.js';
export type { AgtestErrorCode, AgtestErrorContext } from './errors.js';
export { builtinCommand, resolveCommand, isBuiltinProgram, distRoot } from './builtin-commands.js';
export type { BuiltinProgram } from './builtin-commands.js';
export { signalGroup, stopGroup, watchParent } from './process-tree.js';
export { CONNECT_GUARD_ENV, connectGuardFromEnv, createConnectGuard } from './connect-guard.js';
export type { ConnectGuard, ConnectGuardSpec } from './connect-guard.js';
export { staticLookup } from './static-lookup.js';
export type { StaticLookup } from './static-lookup.js';
