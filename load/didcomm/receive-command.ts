/**
 * `agtest receive <invitation-url>` and `agtest-receive`, minus the process: arguments in, lines out,
 * an exit code back (0 the flow succeeded, 1 it failed, 2 bad usage). With --events it first
 * prints {"event":"started"} and {"event":"connected"} lines, which the oob-flow scenario's
 * process receivers use to time the spawn and connect steps.
 */
import { parseArgs } from 'node:util';
import { DURATION_PATTERN, parseDurationMs } from '../config/duration.js';
import { FLOW_STEPS, type FlowStep } from './peer.js';
import { receive } from './receive.js';

export const RECEIVE_USAGE = 'usage: agtest receive <invitation-url> [--flow ping,message] [--transport ws|http] [--timeout 10s] [--events]';

export async function runReceiveCommand(argv: readonly string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { flow: { type: 'string', default: 'ping,message' }, transport: { type: 'string', default: 'ws' }, timeout: { type: 'string', default: '10s' }, events: { type: 'boolean', default: false } } });
  } catch (error) {
    stderr.write(`agtest receive: ${(error as Error).message}\n${RECEIVE_USAGE}\n`);
    return 2;
  }
  const [url, ...extra] = parsed.positionals;
  const flow = parsed.values.flow.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = flow.filter((step) => !(FLOW_STEPS as readonly string[]).includes(step));
  const timeoutMs = durationOrNaN(parsed.values.timeout);
  const transport = parsed.values.transport;
  const problem = transport !== 'ws' && transport !== 'http' ? `--transport is ws or http, got ${JSON.stringify(transport)}` : !url ? 'no invitation URL' : extra.length ? `one invitation URL, got ${extra.length + 1} arguments` : unknown.length ? `--flow steps are ${FLOW_STEPS.join(', ')}; unknown: ${unknown.join(', ')}` : !(timeoutMs > 0) ? `--timeout must be a positive duration (10s, 500ms), got ${JSON.stringify(parsed.values.timeout)}` : undefined;
  if (problem) {
    stderr.write(`agtest receive: ${problem}\n${RECEIVE_USAGE}\n`);
    return 2;
  }
  const events = parsed.values.events;
  if (events) stdout.write('{"event":"started"}\n');
  const outcome = await receive(url!, { flow: flow as FlowStep[], transport: transport as 'ws' | 'http', timeoutMs, ...(events ? { onConnected: () => stdout.write('{"event":"connected"}\n') } : {}) });
  stdout.write(`${JSON.stringify(outcome)}\n`);
  return outcome.ok ? 0 : 1;
}

/** A duration (a bare number is ms), or NaN for the usage error. */
function durationOrNaN(text: string): number {
  return new RegExp(DURATION_PATTERN).test(text) ? parseDurationMs(text) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
}
