import { resolveCommand } from '../../common/index.js';
import type { ReferenceAgentTransport } from '../../reference-agent/index.js';
import { createChalk } from '../reporters/console-reporter.js';
import { ADAPTER_RULES, checkAdapter } from './check-adapter.js';

export interface AdapterCheckArgs {
  transport: ReferenceAgentTransport;
  command: readonly string[];
  waitMs: number;
  messages: number;
  verbose: boolean;
}

/** `agtest adapter check -- <command…>`: one line per rule; 0 when every rule passes, 1 otherwise. */
export async function runAdapterCheck(args: AdapterCheckArgs, out = process.stdout): Promise<number> {
  const c = createChalk(out);
  const command = resolveCommand(args.command);
  out.write(`Checking adapter ${c.bold(args.command.join(' '))} against the agtalk contract (peer: the reference agent over ${args.transport} on 127.0.0.1)\n`);
  const results = await checkAdapter({
    command,
    transport: args.transport,
    waitMs: args.waitMs,
    messages: args.messages,
    log: args.verbose ? (line) => process.stderr.write(`[adapter] ${line}\n`) : undefined,
  });
  for (const result of results) {
    const mark = result.status === 'pass' ? c.green('✓') : result.status === 'fail' ? c.red('✗') : c.yellow('-');
    out.write(`${mark} ${result.rule.padEnd(19)} ${c.dim(ADAPTER_RULES[result.rule])}${result.status === 'pass' ? ` ${c.dim(`${result.durationMs} ms`)}` : ''}\n`);
    if (result.reason) out.write(`    ${result.status === 'fail' ? c.red(result.reason) : c.yellow(`not run: ${result.reason}`)}\n`);
  }
  const passed = results.filter((r) => r.status === 'pass').length;
  out.write(`\n${passed} of ${results.length} rules passed\n`);
  return passed === results.length ? 0 : 1;
}
