#!/usr/bin/env node
/**
 * agtest-reference-a2a-agent [--faults a,b] [--minimal] [--host 127.0.0.1] [--port 0]
 * Prints one JSON ready line ({"endpoint": base URL, ...}) on stdout; SIGTERM/SIGINT stop it.
 * Exit 2: bad usage (unknown flag or fault); exit 1: could not start.
 */
import { parseArgs } from 'node:util';
import { watchParent } from '../../common/index.js';
import { A2A_AGENT_NAME, A2A_FAULTS, AGENT_VERSION, isA2aFault, startReferenceA2aAgent } from '../index.js';

const USAGE = 'usage: agtest-reference-a2a-agent [--faults a,b] [--minimal] [--host 127.0.0.1] [--port N]';
const faultList = () => Object.entries(A2A_FAULTS).map(([name, description]) => `  ${name}: ${description}`).join('\n');

function usageError(message: string): never {
  process.stderr.write(`${A2A_AGENT_NAME}: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      faults: { type: 'string', default: '' },
      minimal: { type: 'boolean', default: false },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  usageError(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  process.stdout.write(`${USAGE}\n\nA small A2A agent (v1.0 and v0.3 over JSON-RPC, SSE streaming, push notifications) that agtest\ncertifies as interoperable. --minimal: claim neither streaming nor push. --faults: break one check each:\n${faultList()}\n`);
  process.exit(0);
}
const faults = values.faults.split(',').map((fault) => fault.trim()).filter(Boolean);
const unknown = faults.filter((fault) => !isA2aFault(fault));
if (unknown.length > 0) usageError(`unknown fault(s): ${unknown.join(', ')}. Known faults:\n${faultList()}`);
if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) usageError(`--port must be a port number 0-65535, got "${values.port}"`);

const agent = await startReferenceA2aAgent({ faults, minimal: values.minimal, host: values.host, port: Number(values.port), log: (line) => process.stderr.write(`${line}\n`) }).catch((error: unknown) => {
  process.stderr.write(`${A2A_AGENT_NAME}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

const stop = (): void => {
  agent.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
// Started by agtest: when agtest is gone (even by kill -9), so is this agent.
watchParent(stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Ready only once a SIGTERM stops it cleanly: whoever reads the line may stop it at once.
process.stdout.write(`${JSON.stringify({ ready: true, agent: A2A_AGENT_NAME, version: AGENT_VERSION, endpoint: agent.endpoint, faults: agent.faults, minimal: values.minimal })}\n`);
