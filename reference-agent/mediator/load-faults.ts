import { ReferenceAgentError } from '../errors.js';

/**
 * What a mediator does wrong under load, for `agtest load topology`'s fault scenarios (issue 18,
 * item 5). Unlike FAULTS (each breaks one rule a conformance check reads), these break no rule: a
 * mediator may lose a connection or fall behind. They are what a load run must survive and show:
 * losses counted, not hidden; latency that shows the queueing.
 */
export const MEDIATOR_LOAD_FAULTS = {
  dropConnectionsEvery:
    'after every Nth forward it receives, terminates every open connection (WebSockets included) as a crashed proxy would; clients must reconnect, and what came for them meanwhile waits for pickup (RFC 0685)',
  forwardDelayMs: 'holds each forward N ms before delivering it, one forward after another (a slow mediator: the wait of each adds to those queued behind it)',
} as const satisfies Readonly<Record<string, string>>;

export type MediatorLoadFaults = { readonly [K in keyof typeof MEDIATOR_LOAD_FAULTS]?: number };

/** The knobs' bounds: a drop needs at least one forward between drops; a delay over a minute is a hang, not a slow mediator. */
const LIMITS: Readonly<Record<keyof typeof MEDIATOR_LOAD_FAULTS, [number, number]>> = {
  dropConnectionsEvery: [1, 1_000_000],
  forwardDelayMs: [0, 60_000],
};

/** Checks the knobs; a value out of bounds or not an integer is a usage error naming the knob. */
export function validateMediatorLoadFaults(faults: MediatorLoadFaults = {}): MediatorLoadFaults {
  for (const [name, value] of Object.entries(faults)) {
    if (!Object.hasOwn(LIMITS, name)) throw new ReferenceAgentError('INVALID_OPTION', `unknown mediator load fault ${name}; known: ${Object.keys(LIMITS).join(', ')}`);
    if (value === undefined) continue;
    const [min, max] = LIMITS[name as keyof typeof LIMITS];
    if (!Number.isInteger(value) || value < min || value > max) throw new ReferenceAgentError('INVALID_OPTION', `mediator load fault ${name} must be an integer ${min}-${max}, got ${String(value)}`);
  }
  return { ...faults };
}

/** A knob's command-line name: dropConnectionsEvery → drop-connections-every. */
export const loadFaultFlag = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * `drop-connections-every=40` (as a `--faults` entry: how `agtest load topology --fault` reaches
 * the built-in mediator) → ['dropConnectionsEvery', 40]; undefined for anything else (a named fault).
 */
export function parseLoadFaultEntry(entry: string): [keyof typeof MEDIATOR_LOAD_FAULTS, number] | undefined {
  const match = /^([a-z-]+)=(.*)$/.exec(entry);
  if (!match) return undefined;
  const name = Object.keys(MEDIATOR_LOAD_FAULTS).find((key) => loadFaultFlag(key) === match[1]) as keyof typeof MEDIATOR_LOAD_FAULTS | undefined;
  if (!name) throw new ReferenceAgentError('INVALID_OPTION', `unknown mediator load fault ${match[1]}; known: ${Object.keys(MEDIATOR_LOAD_FAULTS).map(loadFaultFlag).join(', ')}`);
  if (!/^\d+$/.test(match[2]!)) throw new ReferenceAgentError('INVALID_OPTION', `mediator load fault ${match[1]} must be a whole number, got "${match[2]}"`);
  return [name, Number(match[2])];
}
