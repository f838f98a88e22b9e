import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { describeError, watchParent } from '../common/index.js';
import type { Adapter, AdapterEvent } from './adapter.js';
import { formatAdapterUsage, parseAdapterArgs, type AdapterArgs, type AdapterFlagSpec } from './adapter-args.js';
import { AdapterError } from './errors.js';
import { formatEventLine } from './event-line.js';

export interface RunAdapterMainOptions {
  /** The adapter's own flags; when given, any other flag is a usage error. */
  flags?: Readonly<Record<string, AdapterFlagSpec>>;
  /** Name for the usage text (default: the script's file name). */
  program?: string;
  argv?: readonly string[];
}

/** A stop() that hangs must not keep a process agtest asked to end. */
const STOP_GRACE_MS = 5_000;

/**
 * The process wrapper any adapter can reuse. Contract: `--outbox DIR --inbox DIR --target
 * ENDPOINT` (+ the adapter's flags); first stdout line `{"type":"ready",...}`, then one JSON
 * event per line; logs on stderr; SIGTERM/SIGINT → stop() and exit 0; fatal error → one
 * `<name> adapter: <why>` line as the last stderr line and exit 1; usage error → exit 2.
 */
export async function runAdapterMain(createAdapter: (args: AdapterArgs) => Adapter, options: RunAdapterMainOptions = {}): Promise<void> {
  const program = options.program ?? basename(process.argv[1] ?? 'adapter');
  const parsed = parseAdapterArgs(options.argv ?? process.argv.slice(2), options.flags);
  if (!parsed.ok) {
    process.stderr.write(`${program}: ${parsed.problem}\n${formatAdapterUsage(program, options.flags)}\n`);
    process.exit(2);
  }
  const { args } = parsed;
  const print = (event: AdapterEvent): void => void process.stdout.write(formatEventLine(event));
  // The ready line must come first: events raised while starting wait for it.
  let early: AdapterEvent[] | undefined = [];
  const emit = (event: AdapterEvent): void => void (early ? early.push(event) : print(event));

  let adapter: Adapter | undefined;
  let label = `${program}:`;
  let starting: Promise<unknown> = Promise.resolve();
  let stopping = false;
  const exitWith = (code: number): void => void process.stdout.write('', () => process.exit(code));
  const shutdown = async (code: number, lastLine?: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => {
      process.stderr.write(`${label} stop() did not finish within ${STOP_GRACE_MS} ms\n`);
      if (lastLine) process.stderr.write(`${lastLine}\n`);
      process.exit(code || 1);
    }, STOP_GRACE_MS);
    force.unref();
    await starting.catch(() => undefined);
    try {
      await adapter?.stop();
    } catch (error) {
      process.stderr.write(`${label} stop failed: ${describeError(error)}\n`);
      code = code || 1;
    }
    // Written after stop() so that it is the last stderr line, the one the launcher reports.
    if (lastLine) process.stderr.write(`${lastLine}\n`);
    exitWith(code);
  };
  const exitCodeFor = (error: unknown): number => (error instanceof AdapterError && error.code === 'ADAPTER_INVALID_OPTION' ? 2 : 1);

  // An adapter whose launcher died (even by kill -9) must not keep listening.
  watchParent(() => void shutdown(0, `${label} the process that started it is gone: stopping`));
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));
  process.stdout.on('error', (error) => void shutdown(1, `${label} stdout failed (${describeError(error)}): is the launcher gone?`));
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${error.stack ?? String(error)}\n`);
    void shutdown(1, `${label} internal error: ${describeError(error)}`);
  });
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
    void shutdown(1, `${label} internal error: ${describeError(reason)}`);
  });

  try {
    adapter = createAdapter(args);
    label = `${adapter.name} adapter:`;
  } catch (error) {
    process.stderr.write(`${program}: ${describeError(error)}\n${formatAdapterUsage(program, options.flags)}\n`);
    process.exit(exitCodeFor(error));
  }
  // The folders are the contract, not the adapter's business: any adapter finds them in place.
  const created = adapter;
  const started = Promise.all([mkdir(args.outbox, { recursive: true }), mkdir(args.inbox, { recursive: true })]).then(() => created.start({
    outbox: args.outbox,
    inbox: args.inbox,
    target: args.target,
    log: (line) => void process.stderr.write(`${line}\n`),
    emit,
    fatal: (error) => void shutdown(1, `${label} ${error.message}`),
  }));
  starting = started;
  let endpoint: string | undefined;
  try {
    ({ endpoint } = await started);
  } catch (error) {
    await shutdown(exitCodeFor(error), `${label} failed to start: ${describeError(error)}`);
    return;
  }
  if (stopping) return;
  print({ type: 'ready', adapter: adapter.name, ...(endpoint === undefined ? {} : { endpoint }) });
  const waiting = early;
  early = undefined;
  for (const event of waiting) print(event);
}
