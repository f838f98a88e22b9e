import t from 'tap';
import { parseDescription, planFromRequest } from '../../serve/index.js';

t.test("the seeds' sentences are read right", async (t) => {
  const s2 = parseDescription('Ask JMeter AI to run a 10-minute performance test for the login and product search flows on `https://shop.example.com` using 50 virtual users with a 60-second ramp-up.');
  t.match(s2, { virtualUsers: 50, durationSeconds: 600, rampUpSeconds: 60, urls: ['https://shop.example.com'], endpoints: [], ambiguous: {} });
  const s5 = parseDescription('Run a stress test on the new product recommendation API (GET /products/recommendations?category=electronics) with 200 users for 30 minutes. Ensure ramp-up is over 5 minutes.');
  t.match(s5, { virtualUsers: 200, durationSeconds: 1800, rampUpSeconds: 300, endpoints: [{ method: 'GET', path: '/products/recommendations?category=electronics' }], ambiguous: {} });
});

t.test('units, think time, throughput; a quantity said twice is ambiguous, not guessed', async (t) => {
  t.match(parseDescription('1 user for 90 s, think time 250 ms, 20 requests per second'), { virtualUsers: 1, durationSeconds: 90, thinkTimeMillis: 250, throughputTarget: 20 });
  t.match(parseDescription('for 2 hours at 600 rpm, think time of 1.5 seconds'), { durationSeconds: 7200, throughputTarget: 10, thinkTimeMillis: 1500 });
  t.same(parseDescription('50 users, then 100 users').ambiguous, { virtualUsers: [50, 100] });
  t.equal(parseDescription('50 users, then 100 users').virtualUsers, undefined);
  t.same(parseDescription('50 users and again 50 users').ambiguous, {}, 'the same value twice is not ambiguous');
  t.same(parseDescription('POST /login, then GET /search?q=x. Then GET /search?q=x.').endpoints, [{ method: 'POST', path: '/login' }, { method: 'GET', path: '/search?q=x' }]);
  t.same(parseDescription('get /lowercase is prose, not an endpoint').endpoints, []);
});

t.test('the plan asks back for what is missing and names the fields', async (t) => {
  const asked = planFromRequest({ requestId: 'r', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: 'test the login and product search flows' });
  t.equal(asked.ok, false);
  if (!asked.ok) {
    t.same(asked.missing, ['performanceParameters.virtualUsers', 'performanceParameters.durationMinutes', 'targetDetails.url', 'targetDetails.apiEndpoints']);
    t.match(asked.question, /How many virtual users\?.*For how long\?.*Which application\?.*Which requests/);
  }
  const two = planFromRequest({ requestId: 'r', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: 'compare http://127.0.0.1:1/a and http://127.0.0.1:2/b, 5 users for 1 minute' });
  t.match(two, { ok: false, missing: ['targetDetails.url'] });
  const ok = planFromRequest({ requestId: 'r', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: 'GET /x with 5 users for 1 minute', targetDetails: { url: 'http://127.0.0.1:1' }, performanceParameters: { durationSeconds: 5 } });
  t.match(ok, { ok: true, plan: { virtualUsers: 5, durationSeconds: 5, rampUpSeconds: 0, endpoints: [{ method: 'GET', path: '/x' }] } });
  if (ok.ok) t.match(ok.plan.notes.join('\n'), /the description says 60 s for the duration; performanceParameters.durationSeconds \(5\) wins[\s\S]*no ramp-up given/);
});
