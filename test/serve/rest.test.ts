import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { loadReportProblems } from '../../load/index.js';
import { SIGNATURE_HEADER, startService } from '../../serve/index.js';
import { closedPort, startLoadServer } from '../helpers/load-server.js';
import { seedRequest, startHarness } from './helpers.js';

/** A callback receiver on loopback: records every POST; the first `failures` answer 503. */
async function startReceiver(failures: number) {
  const received: { headers: Record<string, string | string[] | undefined>; body: string; status: number }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const status = received.length < failures ? 503 : 204;
      received.push({ headers: req.headers, body, status });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

t.test("the seed's example request runs end to end over REST: 202, progress, result with the load report, signed callbacks retried", async (t) => {
  let hits = 0;
  const target = await startLoadServer({ '/products/recommendations': (req, res) => ((hits += 1), res.end(new URL(req.url!, 'http://x').searchParams.get('category') ?? '')) });
  const receiver = await startReceiver(2);
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await target.close();
    await receiver.close();
  });

  const accepted = await h.call('POST', '/requests', seedRequest(target.url, { callbackUrl: receiver.url }));
  t.equal(accepted.status, 202, JSON.stringify(accepted.body));
  t.equal(accepted.body.requestId, 'a1b2c3d4-e5f6-7890-1234-567890abcdef');
  t.match(accepted.body.status, /^(queued|in_progress)$/);
  t.same(accepted.body.links, { self: '/requests/a1b2c3d4-e5f6-7890-1234-567890abcdef', result: '/requests/a1b2c3d4-e5f6-7890-1234-567890abcdef/result', cancel: '/requests/a1b2c3d4-e5f6-7890-1234-567890abcdef' });
  t.equal(accepted.headers.get('location'), accepted.body.links.self);

  const done = await h.waitFor(accepted.body.requestId, ['completed', 'error', 'input_required']);
  t.equal(done.status, 'completed', JSON.stringify(done));
  t.same(done.history.map((e: { status: string }) => e.status).filter((s: string, i: number, all: string[]) => all.indexOf(s) === i), ['queued', 'in_progress', 'completed']);
  t.ok(done.history.some((e: { detail?: { phase?: string } }) => e.detail?.phase === 'load'), 'progress events during the load');

  const { status, body } = await h.call('GET', `/requests/${accepted.body.requestId}/result`);
  t.equal(status, 200);
  const { report, summary, jmx, plan, notes } = body.result;
  t.same(loadReportProblems(report), [], 'the stored report is a valid agtest load report');
  t.ok(report.summary.ok > 0, 'the load ran');
  t.equal(report.summary.errors, 0);
  t.equal(hits, report.summary.ok, 'every request the report counts arrived at the target, no more');
  t.equal(summary.requests, report.summary.completed);
  t.equal(plan.virtualUsers, 2, 'explicit fields win');
  t.match(notes.join('\n'), /the description says 200 users for the number of users; performanceParameters.virtualUsers \(2\) wins/);
  t.match(jmx, /<stringProp name="HTTPSampler.path">\/products\/recommendations\?category=electronics<\/stringProp>/);

  // Callbacks: one per status event, each signed, the first two answered 503 and retried.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const delivered = receiver.received.filter((r) => r.status === 204).map((r) => JSON.parse(r.body));
  const events = done.history.length;
  t.equal(receiver.received.length, events + 2, 'every event delivered, plus the two failed attempts');
  t.same(receiver.received[0]!.body, receiver.received[2]!.body, 'the failed delivery was retried with the same body');
  t.same(delivered.map((d: { sequence: number }) => d.sequence), done.history.map((e: { sequence: number }) => e.sequence), 'delivered in sequence order, each once');
  for (const r of receiver.received) {
    const expected = `sha256=${createHmac('sha256', h.signingSecret).update(r.body).digest('hex')}`;
    t.equal(r.headers[SIGNATURE_HEADER], expected, 'HMAC-SHA256 of the body with the key\'s signing secret');
    const parsed = JSON.parse(r.body);
    t.equal(r.headers['idempotency-key'], `${parsed.requestId}:${parsed.sequence}`);
  }
  const wrong = `sha256=${createHmac('sha256', 'not-the-secret').update(receiver.received[0]!.body).digest('hex')}`;
  t.not(receiver.received[0]!.headers[SIGNATURE_HEADER], wrong, 'a signature under another secret would not match');
  const final = delivered[delivered.length - 1];
  t.equal(final.status, 'completed');
  t.equal(final.result.report.summary.ok, report.summary.ok, 'the final callback carries the result');
});

t.test('status, queue position, cancel, idempotent resubmission, capabilities and the OpenAPI document', async (t) => {
  const target = await startLoadServer();
  const h = await startHarness({ concurrency: 1 });
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  const request = (id: string, seconds: number) => seedRequest(target.url, { requestId: id, targetDetails: { url: target.url, apiEndpoints: [{ path: '/ok' }] }, performanceParameters: { virtualUsers: 1, durationSeconds: seconds, rampUpSeconds: 0 } });
  t.equal((await h.call('POST', '/requests', request('r1', 5))).status, 202);
  const second = await h.call('POST', '/requests', request('r2', 1));
  t.equal(second.status, 202);
  t.equal(second.body.position, 1, 'r2 waits behind the running r1');
  await h.waitFor('r1', ['in_progress']);
  const again = await h.call('POST', '/requests', request('r2', 1));
  t.equal(again.status, 200, 'the same request sent again is not a second job');
  t.equal(again.body.duplicate, true);
  const clash = await h.call('POST', '/requests', request('r2', 2));
  t.equal(clash.status, 409, 'the same requestId with another body is refused');
  t.equal(clash.body.error.problems[0].field, 'requestId');

  const cancelled = await h.call('DELETE', '/requests/r1');
  t.equal(cancelled.status, 200);
  t.equal(cancelled.body.status, 'cancelled');
  t.equal((await h.call('DELETE', '/requests/r1')).status, 409, 'cancelling an ended request says so');
  const r2 = await h.waitFor('r2', ['completed']);
  t.equal(r2.status, 'completed', 'the queue moved on after the cancel');
  const noResult = await h.call('GET', '/requests/r1/result');
  t.equal(noResult.status, 409);
  t.match(noResult.body.error.message, /cancelled/);
  t.equal((await h.call('GET', '/requests/nope')).status, 404);

  const caps = await fetch(`${h.service.url}/capabilities`).then((r) => r.json());
  t.same(caps.taskTypes, ['generate_script', 'execute_test', 'generate_and_execute', 'analyze_results', 'certify', 'compare_profiles']);
  t.equal(caps.limits.concurrentJobs, 1);
  const openapi = await fetch(`${h.service.url}/openapi.json`).then((r) => r.json());
  t.equal(openapi.openapi, '3.1.0');
  t.ok(openapi.paths['/requests'].post);
});

t.test('ambiguity asks back instead of guessing; explicit fields settle it', async (t) => {
  const target = await startLoadServer();
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  const vague = await h.call('POST', '/requests', { requestId: 'q1', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: `Load test ${target.url}/ok with 50 users, or maybe 100 users, for 2 minutes` });
  t.equal(vague.status, 202);
  const asked = await h.waitFor('q1', ['input_required', 'completed']);
  t.equal(asked.status, 'input_required');
  t.match(asked.question, /The description gives 50 and 100 users for the number of users: which one\? \(set performanceParameters.virtualUsers\)/);
  const result = await h.call('GET', '/requests/q1/result');
  t.equal(result.status, 409);
  t.match(result.body.error.message, /needs input/);

  await h.call('POST', '/requests', { requestId: 'q2', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: `Load test ${target.url}/ok with 50 users, or maybe 100 users, for 2 minutes`, performanceParameters: { virtualUsers: 10 } });
  const settled = await h.waitFor('q2', ['input_required', 'completed']);
  t.equal(settled.status, 'completed', 'the explicit field answers the question');
  const { body } = await h.call('GET', '/requests/q2/result');
  t.equal(body.result.plan.virtualUsers, 10);
  t.equal(body.result.plan.durationSeconds, 120);
  t.same(body.result.plan.endpoints, [{ method: 'GET', path: '/ok' }], 'the URL\'s path is the endpoint');
  t.match(body.result.jmx, /<stringProp name="ThreadGroup.num_threads">10<\/stringProp>/);
});

t.test('analyze_results summarises an agtest load report; an invalid one is an error naming the problem', async (t) => {
  const target = await startLoadServer();
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  await h.call('POST', '/requests', seedRequest(target.url, { requestId: 'run', targetDetails: { url: target.url, apiEndpoints: [{ path: '/ok' }, { path: '/500' }] } }));
  await h.waitFor('run', ['completed']);
  const { report } = (await h.call('GET', '/requests/run/result')).body.result;
  await h.call('POST', '/requests', { requestId: 'an', sourceAgentId: 'a', taskType: 'analyze_results', taskDescription: 'analyse this run', analysisInput: report });
  await h.waitFor('an', ['completed']);
  const { summary } = (await h.call('GET', '/requests/an/result')).body.result;
  t.equal(summary.errors, report.summary.errors);
  t.ok(summary.errors > 0, 'the /500 step failed every iteration');
  t.equal(summary.errorsByClass[0].class, 'http-status');
  t.equal(summary.passed, false, 'errors.rate < 1% is not met');
  t.same(summary.verdicts.map((v: { threshold: string; ok: boolean }) => [v.threshold, v.ok]), [['errors.rate < 1%', false], ['dropped == 0', true]]);

  await h.call('POST', '/requests', { requestId: 'bad', sourceAgentId: 'a', taskType: 'analyze_results', taskDescription: 'analyse', analysisInput: { kind: 'nope' } });
  const bad = await h.waitFor('bad', ['error', 'completed']);
  t.equal(bad.status, 'error');
  t.match(bad.error, /not a valid agtest load report/);
});

t.test('callbacks pending when the server stops are delivered, in order, after the restart', async (t) => {
  const port = await closedPort();
  const h = await startHarness();
  const db = join(h.dir, 'serve.db');
  await h.call('POST', '/requests', { requestId: 'cb', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: 'GET /x on http://127.0.0.1:9 with 1 user for 1 minute', callbackUrl: `http://127.0.0.1:${port}/hook` });
  await h.waitFor('cb', ['completed']);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const pending = h.service.store.db.all('SELECT seq, attempts, last_error FROM callbacks WHERE delivered_at IS NULL ORDER BY seq') as { seq: number; attempts: number; last_error: string }[];
  t.ok(pending.length >= 3 && pending[0]!.attempts >= 1, `the receiver is down: ${pending.length} events wait, the first tried ${pending[0]?.attempts} times`);
  t.match(pending[0]!.last_error, /ECONNREFUSED|connect/i);
  await h.service.close();

  const bodies: { sequence: number; status: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => (bodies.push(JSON.parse(body)), res.end()));
  });
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
  const again = await startService({ db, callbacks: { baseDelayMs: 50, maxDelayMs: 200 } });
  t.teardown(async () => {
    await again.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await rm(h.dir, { recursive: true, force: true });
  });
  const end = Date.now() + 10_000;
  while (bodies.length < pending.length && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
  t.same(bodies.map((b) => b.sequence), pending.map((p) => p.seq), 'every pending event, once, in sequence order');
  t.equal(bodies[bodies.length - 1]!.status, 'completed');
});
