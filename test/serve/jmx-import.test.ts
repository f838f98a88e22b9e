// execute_test with a jmxScript (issue 19): the JMX's HTTP samplers, thread group and timers become
// an agtest load plan; what cannot be translated is refused by name before any traffic; every
// sampler's server must be on the key's allowlist.
import t from 'tap';
import { importJmx, renderJmx, type TestPlan } from '../../serve/index.js';
import { startLoadServer } from '../helpers/load-server.js';
import { startHarness } from './helpers.js';

const plan = (overrides: Partial<TestPlan> = {}): TestPlan => {
  const made: TestPlan = {
  name: 'agtest rt-1',
  baseUrl: 'http://127.0.0.1:8080',
  endpoints: [
    { method: 'POST', path: '/login', headers: { 'X-Trace': 'a&b <c>' }, body: { user: 'ann & bob', note: '<hi>' } },
    { method: 'GET', path: '/search?q=red+shoes&page=2' },
    { method: 'PUT', path: '/cart', body: 'raw "text" body' },
  ],
  virtualUsers: 3,
  durationSeconds: 10,
  rampUpSeconds: 2,
  thinkTimeMillis: 200,
  throughputTarget: 5,
  notes: [],
  ...overrides,
  };
  // An override to undefined means "not set", as in a plan the service makes.
  if (made.throughputTarget === undefined) delete made.throughputTarget;
  return made;
};

/** The rendered JMX with `extra` (elements and their hashTrees) added to the thread group. */
const withElements = (jmx: string, extra: string) => {
  const at = jmx.lastIndexOf('</hashTree>\n</hashTree>\n</hashTree>');
  return `${jmx.slice(0, at)}${extra}\n${jmx.slice(at)}`;
};

t.test('the JMX generate_script produces round-trips into an equivalent plan (plain and base64)', async (t) => {
  for (const original of [plan(), plan({ throughputTarget: undefined, thinkTimeMillis: 0, rampUpSeconds: 0, baseUrl: 'https://example.test' })]) {
    const jmx = renderJmx(original);
    for (const script of [jmx, Buffer.from(jmx).toString('base64')]) {
      const imported = importJmx(script);
      if (!imported.ok) {
        t.fail(imported.problem);
        continue;
      }
      const { notes: _notes, ...rest } = imported.plan;
      const { notes: _n, ...expected } = original;
      // JSON bodies are rendered as text with a Content-Type; the plan carries what goes on the wire.
      expected.endpoints = original.endpoints.map((e) => (e.body !== undefined && typeof e.body !== 'string' ? { ...e, body: JSON.stringify(e.body), headers: { ...e.headers, 'Content-Type': 'application/json' } } : e));
      t.same(rest, expected, `${original.baseUrl}: the same plan`);
      t.same(imported.targets.map((target) => target.url), original.endpoints.map(() => original.baseUrl));
    }
  }
});

t.test('form arguments, HTTP request defaults, listeners and disabled elements', async (t) => {
  const jmx = withElements(
    renderJmx(plan({ endpoints: [{ method: 'GET', path: '/a' }], throughputTarget: undefined })),
    [
      '<ConfigTestElement guiclass="HttpDefaultsGui" testclass="ConfigTestElement" testname="HTTP Request Defaults" enabled="true"><stringProp name="HTTPSampler.domain">127.0.0.1</stringProp><stringProp name="HTTPSampler.port">8080</stringProp></ConfigTestElement><hashTree/>',
      '<ResultCollector guiclass="ViewResultsFullVisualizer" testclass="ResultCollector" testname="View Results Tree" enabled="true"><boolProp name="ResultCollector.error_logging">false</boolProp></ResultCollector><hashTree/>',
      '<JSR223Sampler guiclass="TestBeanGUI" testclass="JSR223Sampler" testname="off" enabled="false"/><hashTree/>',
      '<HTTPSamplerProxy guiclass="HttpTestSampleGui" testclass="HTTPSamplerProxy" testname="form" enabled="true"><elementProp name="HTTPsampler.Arguments" elementType="Arguments"><collectionProp name="Arguments.arguments"><elementProp name="q" elementType="HTTPArgument"><stringProp name="Argument.name">q</stringProp><stringProp name="Argument.value">a b&amp;c</stringProp></elementProp></collectionProp></elementProp><stringProp name="HTTPSampler.path">/f</stringProp><stringProp name="HTTPSampler.method">POST</stringProp><boolProp name="HTTPSampler.follow_redirects">true</boolProp></HTTPSamplerProxy><hashTree/>',
    ].join('\n'),
  );
  const imported = importJmx(jmx);
  if (!imported.ok) return t.fail(imported.problem);
  t.same(imported.targets.map((target) => target.url), ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'], 'the form sampler\'s server comes from the defaults');
  t.same(imported.plan.endpoints[1], { method: 'POST', path: '/f', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'q=a+b%26c' });
  t.match(imported.plan.notes.join('\n'), /ResultCollector 'View Results Tree' skipped[^]*JSR223Sampler 'off' skipped: disabled[^]*'form' follows redirects/);
});

t.test('refused by name before any traffic: a JSR223 sampler, a CSV data set, an extractor under a sampler, a second thread group, ${…}', async (t) => {
  const base = renderJmx(plan({ throughputTarget: undefined }));
  const cases: [string, string, RegExp][] = [
    ['JSR223 sampler', '<JSR223Sampler guiclass="TestBeanGUI" testclass="JSR223Sampler" testname="compute token" enabled="true"><stringProp name="script">1</stringProp></JSR223Sampler><hashTree/>', /JSR223Sampler 'compute token': not an HTTP sampler/],
    ['CSV data set', '<CSVDataSet guiclass="TestBeanGUI" testclass="CSVDataSet" testname="users.csv" enabled="true"><stringProp name="filename">users.csv</stringProp></CSVDataSet><hashTree/>', /CSVDataSet 'users\.csv': not translatable/],
    ['a variable in a path', '<HTTPSamplerProxy guiclass="HttpTestSampleGui" testclass="HTTPSamplerProxy" testname="vars" enabled="true"><stringProp name="HTTPSampler.domain">127.0.0.1</stringProp><stringProp name="HTTPSampler.port">8080</stringProp><stringProp name="HTTPSampler.path">/u/${__exec(id)}</stringProp></HTTPSamplerProxy><hashTree/>', /HTTPSamplerProxy 'vars': HTTPSampler\.path uses \$\{…\}/],
    ['an extractor under a sampler', '<HTTPSamplerProxy guiclass="HttpTestSampleGui" testclass="HTTPSamplerProxy" testname="login2" enabled="true"><stringProp name="HTTPSampler.domain">127.0.0.1</stringProp><stringProp name="HTTPSampler.port">8080</stringProp><stringProp name="HTTPSampler.path">/x</stringProp></HTTPSamplerProxy><hashTree><RegexExtractor guiclass="RegexExtractorGui" testclass="RegexExtractor" testname="token" enabled="true"/><hashTree/></hashTree>', /RegexExtractor 'token': under HTTPSamplerProxy 'login2'/],
  ];
  for (const [name, extra, expected] of cases) {
    const imported = importJmx(withElements(base, extra));
    t.notOk(imported.ok, `${name}: refused`);
    if (!imported.ok) t.match(imported.problem, expected, name);
  }
  const twoGroups = base.replace('</hashTree>\n</hashTree>\n</jmeterTestPlan>', '<ThreadGroup guiclass="ThreadGroupGui" testclass="ThreadGroup" testname="admins" enabled="true"/><hashTree/>\n</hashTree>\n</hashTree>\n</jmeterTestPlan>');
  const second = importJmx(twoGroups);
  t.match(!second.ok && second.problem, /ThreadGroup 'admins': a second thread group/);
  const loops = importJmx(base.replace('<stringProp name="LoopController.loops">-1</stringProp>', '<stringProp name="LoopController.loops">10</stringProp>').replace('<boolProp name="ThreadGroup.scheduler">true</boolProp>', '<boolProp name="ThreadGroup.scheduler">false</boolProp>'));
  t.match(!loops.ok && loops.problem, /ThreadGroup 'Virtual users': no scheduler duration[^]*loop count of 10/);
  t.ok(importJmx(base).ok, 'the same plan without them is translated');
});

t.test('malformed or foreign XML: a clear error naming the line', async (t) => {
  const broken = importJmx('<?xml version="1.0"?>\n<jmeterTestPlan>\n<hashTree>\n<TestPlan testname="x">\n</hashTree>\n</jmeterTestPlan>');
  t.match(!broken.ok && broken.problem, /jmxScript is not well-formed XML: line 5, column \d+: .*TestPlan/);
  t.match(!importJmx('<html><body/></html>').ok && (importJmx('<html><body/></html>') as { problem: string }).problem, /no <jmeterTestPlan> root element/);
  t.match((importJmx('not xml at all!') as { problem: string }).problem, /neither XML nor base64/);
});

t.test('execute_test with a jmxScript over REST: the samplers run; off-list servers and refused elements send nothing', async (t) => {
  const target = await startLoadServer({ '/a': (_, res) => res.end('a'), '/b': (_, res) => res.end('b') });
  const h = await startHarness({ resolve: async (host) => (host === 'other.example' ? ['10.0.0.9'] : []) });
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  const jmx = renderJmx(plan({ baseUrl: target.url, endpoints: [{ method: 'GET', path: '/a' }, { method: 'POST', path: '/b', body: 'x' }], virtualUsers: 2, durationSeconds: 1, rampUpSeconds: 0, thinkTimeMillis: 0, throughputTarget: undefined }));
  const request = (id: string, script: string, taskType = 'execute_test') => ({ requestId: id, sourceAgentId: 'a', taskType, taskDescription: 'run this JMX', jmxScript: Buffer.from(script).toString('base64') });

  const offList = withElements(jmx, '<HTTPSamplerProxy guiclass="HttpTestSampleGui" testclass="HTTPSamplerProxy" testname="elsewhere" enabled="true"><stringProp name="HTTPSampler.domain">other.example</stringProp><stringProp name="HTTPSampler.path">/x</stringProp></HTTPSamplerProxy><hashTree/>');
  const refusedHost = await h.call('POST', '/requests', request('jmx-off', offList));
  t.equal(refusedHost.status, 403);
  t.match(refusedHost.body.error.problems, [{ field: 'jmxScript', message: /HTTPSamplerProxy 'elsewhere': target refused: other\.example resolves to 10\.0\.0\.9/ }]);
  const refusedElement = await h.call('POST', '/requests', request('jmx-csv', withElements(jmx, '<CSVDataSet testclass="CSVDataSet" testname="users.csv" enabled="true"/><hashTree/>')));
  t.equal(refusedElement.status, 422);
  t.equal(refusedElement.body.error.code, 'jmx_not_translatable');
  t.match(refusedElement.body.error.message, /CSVDataSet 'users\.csv'/);
  t.equal((await h.call('POST', '/requests', request('jmx-gen', jmx, 'generate_and_execute'))).status, 400, 'only execute_test runs a JMX');
  t.equal(target.requests, 0, 'nothing was sent for the refused ones');

  const created = await h.call('POST', '/requests', request('jmx-ok', jmx));
  t.equal(created.status, 202, JSON.stringify(created.body));
  const done = await h.waitFor('jmx-ok', ['completed', 'error']);
  t.equal(done.status, 'completed', done.error);
  const result = (await h.call('GET', '/requests/jmx-ok/result')).body.result;
  t.equal(result.translatedFrom, 'jmxScript');
  t.same(result.summary.steps.map((s: { name: string }) => s.name).sort(), ['GET /a', 'POST /b', 'total']);
  t.ok(result.summary.requests > 0 && result.summary.errors === 0, `${result.summary.requests} requests, no errors`);
  const sent = result.summary.steps.filter((s: { name: string }) => s.name !== 'total').reduce((sum: number, s: { ok: number; errors: number }) => sum + s.ok + s.errors, 0);
  t.equal(target.requests, sent, 'every request arrived at the loopback server');
});
