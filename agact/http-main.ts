#!/usr/bin/env node
/**
 * agact-http: the ready-made agact for agents with an HTTP backchannel. Usage:
 *   agact-http --url <backchannel URL> <action> '<json params>'
 *   agact-http --url <backchannel URL> --session     (agtest's session protocol, agact-session.ts)
 * POSTs {"action", "params"} and prints the JSON answer. Exit 0 on 2xx, 2 when the backchannel
 * answers 501 (not supported), 3 on another 4xx (the agent refused; the body is its reason), 4 on
 * 5xx (this action failed), 1 when it is unreachable (the backchannel is broken).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { connectGuardFromEnv } from '../common/index.js';

const USAGE = "usage: agact-http --url <backchannel URL> [--timeout-ms N] <action> '<json params>' | --session";

/** What one call ends with: the exit code and what it printed. */
interface CallResult {
  exit: number;
  stdout: string;
  stderr: string;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { url: { type: 'string' }, 'timeout-ms': { type: 'string' }, help: { type: 'boolean' }, session: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const url = values.url ?? process.env['AGACT_URL'];
  const timeoutMs = Number(values['timeout-ms'] ?? 30_000);
  const [action, rawParams = '{}'] = positionals;
  if (!url || (!action && !values.session)) {
    process.stderr.write(`agact-http: ${!url ? 'no --url (or AGACT_URL)' : 'no action'}\n${USAGE}\n`);
    return 1;
  }
  if (values.session) return session(url, timeoutMs);
  const result = await call(url, action!, rawParams, timeoutMs);
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  return result.exit;
}

/**
 * Session mode: one `{"id","action","params"}` line in, one `{"id","exit","stdout","stderr"}` line
 * out, in order, until stdin closes — the one-shot call's result without a process per call.
 */
async function session(url: string, timeoutMs: number): Promise<number> {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    let request: { id?: unknown; action?: unknown; params?: unknown };
    try {
      request = JSON.parse(line) as typeof request;
    } catch (error) {
      process.stderr.write(`agact-http: a session line is not JSON: ${String(error)}\n`);
      return 1;
    }
    if (typeof request.action !== 'string') {
      process.stderr.write('agact-http: a session line has no action\n');
      return 1;
    }
    const result = await call(url, request.action, JSON.stringify(request.params ?? {}), timeoutMs);
    process.stdout.write(`${JSON.stringify({ id: request.id, ...result })}\n`);
  }
  return 0;
}

async function call(url: string, action: string, rawParams: string, timeoutMs: number): Promise<CallResult> {
  let params: unknown;
  try {
    params = JSON.parse(rawParams);
  } catch (error) {
    return { exit: 1, stdout: '', stderr: `agact-http: params are not JSON: ${String(error)}\n` };
  }
  let response: { status: number; body: string };
  try {
    response = await post(url, JSON.stringify({ action, params }), timeoutMs);
  } catch (error) {
    const cause = (error as { code?: string }).code ?? String(error);
    return { exit: 1, stdout: '', stderr: `agact-http: backchannel ${url} unreachable (${cause})\n` };
  }
  const { body } = response;
  if (response.status === 501) return { exit: 2, stdout: '', stderr: `agact-http: ${action} not supported by the agent\n` };
  if (response.status >= 400 && response.status < 500) {
    // The agent declined (its words are the body): a verdict input for the test that asked.
    return { exit: 3, stdout: '', stderr: `agact-http: ${action} refused: HTTP ${response.status} ${body.slice(0, 200)}\n` };
  }
  if (response.status < 200 || response.status > 299) {
    // One action failed; the backchannel itself answered, so it is not broken.
    return { exit: 4, stdout: '', stderr: `agact-http: ${action} failed: HTTP ${response.status} ${body.slice(0, 200)}\n` };
  }
  return { exit: 0, stdout: body.trim() !== '' ? `${body.trim()}\n` : '', stderr: '' };
}

/**
 * node:http rather than fetch: agtest runs this once per action (dozens per run) and loading
 * fetch's implementation costs about 0.2 s of CPU per process, three times node's own start.
 */
function post(url: string, body: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // Under agtest serve: the target allowlist and the checked addresses hold (connect-guard.ts).
    const guard = connectGuardFromEnv();
    const offList = URL.canParse(url) ? guard?.refusal(new URL(url)) : undefined;
    if (offList) return reject(Object.assign(new Error(offList), { code: 'ENOTALLOWED' }));
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { ...(guard ? { lookup: guard.lookup } : {}), method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

process.exitCode = await main();
