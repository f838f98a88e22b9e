/** Transports both agtest and the reference agent speak; one switch changes the whole run. */
// Its own module so that the CLI's option definitions need not load the suites to name them.
export const BUILTIN_TRANSPORTS = ['http', 'ws', 'smtp'] as const;
export type BuiltinTransport = (typeof BUILTIN_TRANSPORTS)[number];
