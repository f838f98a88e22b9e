#!/usr/bin/env node
/**
 * agtest-reference-agent [--transport http|ws|smtp] [--profile FILE] [--faults a,b] [--host 127.0.0.1] [--port 0] [--backchannel-port 0]
 *   [--drop-connections-every N] [--forward-delay-ms N]
 * Prints one JSON ready line on stdout; logs on stderr; SIGTERM/SIGINT stop it (exit 0).
 * Exit 2: bad usage (unknown flag or fault); exit 1: could not start.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { watchParent } from '../common/index.js';
import { validateProfile, type InteropProfile } from '../profiles/index.js';
import { AGENT_NAME, AGENT_VERSION, FAULTS, ReferenceAgentError, isFault, loadFaultFlag, MEDIATOR_LOAD_FAULTS, parseLoadFaultEntry, REFERENCE_AGENT_TRANSPORTS, startReferenceAgent, type MediatorLoadFaults, type ReferenceAgentTransport } from './index.js';

const USAGE =
  'usage: agtest-reference-agent [--transport http|ws|smtp] [--profile FILE] [--faults a,b] [--host 127.0.0.1] [--port N] [--backchannel-port N] [--drop-connections-every N] [--forward-delay-ms N]';

function usageError(message: string): never {
  process.stderr.write(`${AGENT_NAME}: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parsePort(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) usageError(`--${flag} must be a port number 0-65535, got "${value}"`);
  return port;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      faults: { type: 'string', default: '' },
      transport: { type: 'string', default: 'http' },
      profile: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'backchannel-port': { type: 'string', default: '0' },
      'drop-connections-every': { type: 'string' },
      'forward-delay-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  usageError(error instanceof Error ? error.message : String(error));
}

if (values.help) {
  const known = Object.entries(FAULTS).map(([name, description]) => `  ${name}: ${description}`).join('\n');
  const load = Object.entries(MEDIATOR_LOAD_FAULTS).map(([name, description]) => `  --${loadFaultFlag(name)} N (or --faults ${loadFaultFlag(name)}=N): ${description}`).join('\n');
  process.stdout.write(
    `${USAGE}\n\nA small DIDComm v1 agent that agtest certifies as interoperable. --profile FILE: the interop\nprofile it answers agent-metadata requests with. --faults: break one check each, for testing agtest:\n${known}\nIts mediator role under load (agtest load topology):\n${load}\n`,
  );
  process.exit(0);
}

const entries = values.faults.split(',').map((fault) => fault.trim()).filter(Boolean);
// `name=N` entries are mediator load faults (as --name N): how `agtest load topology --fault` reaches them.
const loadEntries: [string, number][] = [];
const faults: string[] = [];
for (const entry of entries) {
  let parsed;
  try {
    parsed = parseLoadFaultEntry(entry);
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed) loadEntries.push(parsed);
  else faults.push(entry);
}
const unknown = faults.filter((fault) => !isFault(fault));
if (unknown.length > 0) {
  const known = Object.entries(FAULTS).map(([name, description]) => `  ${name}: ${description}`).join('\n');
  usageError(`unknown fault(s): ${unknown.join(', ')}. Known faults:\n${known}`);
}

if (!(REFERENCE_AGENT_TRANSPORTS as readonly string[]).includes(values.transport)) {
  usageError(`--transport must be one of ${REFERENCE_AGENT_TRANSPORTS.join(', ')}, got "${values.transport}"`);
}

let profiles: InteropProfile[] = [];
if (values.profile) {
  let checked;
  try {
    checked = validateProfile(JSON.parse(readFileSync(values.profile, 'utf8')));
  } catch (error) {
    usageError(`--profile ${values.profile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!checked.valid) usageError(`--profile ${values.profile} is not an interop profile: ${checked.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
  profiles = [checked.profile];
}

function parseCount(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) usageError(`--${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

const mediatorFaults: MediatorLoadFaults = {
  ...Object.fromEntries(loadEntries),
  ...Object.fromEntries(
    Object.keys(MEDIATOR_LOAD_FAULTS)
      .map((name) => [name, parseCount(loadFaultFlag(name), values[loadFaultFlag(name) as 'drop-connections-every' | 'forward-delay-ms'])] as const)
      .filter(([, value]) => value !== undefined),
  ),
};

const agent = await startReferenceAgent({
  mediatorFaults,
  profiles,
  transport: values.transport as ReferenceAgentTransport,
  faults,
  host: values.host,
  port: parsePort('port', values.port),
  backchannelPort: parsePort('backchannel-port', values['backchannel-port']),
  log: (line) => process.stderr.write(`${line}\n`),
}).catch((error: unknown) => {
  // A knob out of bounds is bad usage, as an unknown flag is.
  if (error instanceof ReferenceAgentError && error.code === 'INVALID_OPTION') usageError(error.message);
  process.stderr.write(`${AGENT_NAME}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

const stop = (): void => {
  agent.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${AGENT_NAME}: close failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
// Started by agtest: when agtest is gone (even by kill -9), so is this agent.
watchParent(stop);
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// Ready only once a SIGTERM stops it cleanly: whoever reads the line may stop it at once.
process.stdout.write(
  `${JSON.stringify({ ready: true, agent: AGENT_NAME, version: AGENT_VERSION, endpoint: agent.endpoint, backchannel: agent.backchannel, faults: agent.faults, mediatorFaults })}\n`,
);
