#!/usr/bin/env node
/**
 * agact-http: the ready-made agact for agents with an HTTP backchannel. Usage:
 *   agact-http --url <backchannel URL> <action> '<json params>'
 * POSTs {"action", "params"} and prints the JSON answer. Exit 0 on 2xx, 2 when the backchannel
 * answers 501 (not supported), 1 when it is unreachable or answers anything else.
 */
import { parseArgs } from 'node:util';

const USAGE = "usage: agact-http --url <backchannel URL> [--timeout-ms N] <action> '<json params>'";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { url: { type: 'string' }, 'timeout-ms': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const url = values.url ?? process.env['AGACT_URL'];
  const [action, rawParams = '{}'] = positionals;
  if (!url || !action) {
    process.stderr.write(`agact-http: ${!url ? 'no --url (or AGACT_URL)' : 'no action'}\n${USAGE}\n`);
    return 1;
  }
  let params: unknown;
  try {
    params = JSON.parse(rawParams);
  } catch (error) {
    process.stderr.write(`agact-http: params are not JSON: ${String(error)}\n`);
    return 1;
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action, params }),
      signal: AbortSignal.timeout(Number(values['timeout-ms'] ?? 30_000)),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
    process.stderr.write(`agact-http: backchannel ${url} unreachable (${cause})\n`);
    return 1;
  }
  const body = await response.text();
  if (response.status === 501) {
    process.stderr.write(`agact-http: ${action} not supported by the agent\n`);
    return 2;
  }
  if (!response.ok) {
    process.stderr.write(`agact-http: ${action} failed: HTTP ${response.status} ${body.slice(0, 200)}\n`);
    return 1;
  }
  if (body.trim() !== '') process.stdout.write(`${body.trim()}\n`);
  return 0;
}

process.exitCode = await main();
