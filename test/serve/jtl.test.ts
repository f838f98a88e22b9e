import { readFile } from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { reportFromJtl, reportFromJtlXml, summarizeReport } from '../../serve/index.js';
import { startHarness } from './helpers.js';

t.test('a JTL with a header line: percentiles from histograms, errors by class, verdicts, the same summary shape', async (t) => {
  const header = 'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect';
  const rows = [];
  for (let i = 0; i < 98; i++) rows.push(`${1_700_000_000_000 + i * 20},${i < 49 ? 10 : 30},GET /a,200,OK,Users 1-1,text,true,,100,50,2,2,http://x/a,5,0,1`);
  rows.push('1700000002000,250,"POST /b, with comma",500,"Server Error, really",Users 1-2,text,false,,10,5,2,2,http://x/b,5,0,1');
  rows.push('1700000002100,1000,POST /b,Non HTTP response code: java.net.ConnectException,Non HTTP response message: Connection refused,Users 1-2,text,false,,0,0,2,2,http://x/b,0,0,0');
  const built = reportFromJtl([header, ...rows].join('\n'));
  t.equal(built.ok, true);
  if (!built.ok) return;
  const summary = summarizeReport(built.report, 'jmeter-jtl');
  t.equal(summary.source, 'jmeter-jtl');
  t.same([summary.requests, summary.ok, summary.errors], [100, 98, 2]);
  // HDR histograms with 3 significant digits: 10 ms reads back as 10.007.
  t.ok(Math.abs(summary.latencyMs.p50 - 10) < 0.05, `p50 ${summary.latencyMs.p50}: of 49 × 10 ms and 49 × 30 ms (successful samples), from the histogram`);
  t.ok(Math.abs(summary.latencyMs.p90 - 30) < 0.05, `p90 ${summary.latencyMs.p90}`);
  t.ok(summary.latencyMs.max < 31, 'the failed samples (250 ms, 1 s) are not in the success latency');
  t.same(summary.steps.map((s) => s.name), ['GET /a', 'POST /b, with comma', 'POST /b', 'total'], 'a quoted label with a comma stays one field');
  t.same(summary.errorsByClass.map((e) => [e.class, e.count]).sort(), [['http-status', 1], ['refused', 1]]);
  t.match(summary.errorsByClass.find((e) => e.class === 'http-status')!.example, /500 Server Error, really/);
  t.equal(summary.passed, false, 'errors.rate < 1% fails at 2 %');
  t.ok(summary.durationS > 2 && summary.durationS < 3.2);
});

t.test("JMeter 2.13's header-less default columns are read; anything else is refused with the line", async (t) => {
  const ok = reportFromJtl('1700000000000,12,GET /x,200,OK,Users 1-1,text,true,100,2,2,3\n1700000000100,14,GET /x,200,OK,Users 1-2,text,true,100,2,2,3\n');
  t.equal(ok.ok && summarizeReport(ok.report, 'jmeter-jtl').ok, 2);
  t.match(reportFromJtl(''), { ok: false, problem: 'the JTL is empty' });
  t.match(reportFromJtl('hello,world'), { ok: false, problem: /JTL line 1 is not a sample/ });
  t.match(reportFromJtl('timeStamp,label\n1,x'), { ok: false, problem: /needs the columns timeStamp, elapsed, label and success/ });
});

// test/serve/fixtures/jmeter-2.13-results.xml was written by Debian's JMeter 2.13 (jmeter -n
// -Jjmeter.save.saveservice.output_format=xml) running a JMX of generate_script against a loopback
// server: 2 users for 2 s, GET /ok?a=1&b=2 (200), POST /fail (500), GET /redirect (302, followed:
// JMeter nests the redirect as a sub-sample). jmeter.test.ts makes a fresh one each run.
const fixture = () => readFile(new URL('./fixtures/jmeter-2.13-results.xml', import.meta.url), 'utf8');

t.test('an XML JTL from real JMeter gives the same summary as the same samples in CSV; sub-samples are not counted twice', async (t) => {
  const xml = await fixture();
  const built = reportFromJtlXml(xml);
  if (!built.ok) return t.fail(built.problem);
  const summary = summarizeReport(built.report, 'jmeter-jtl');
  t.same([summary.requests, summary.ok, summary.errors], [30, 20, 10], '30 top-level samples (the 10 nested redirects are inside their parents)');
  t.same(summary.steps.map((s) => s.name), ['GET /ok?a=1&b=2', 'POST /fail', 'GET /redirect', 'total'], 'labels unescaped');
  t.same(summary.errorsByClass.map((e) => [e.class, e.count]), [['http-status', 10]]);
  t.match(summary.errorsByClass[0]!.example, /POST \/fail: 500 Internal Server Error/);
  t.same(summary.verdicts.map((v) => [v.threshold, v.ok]), [['errors.rate < 1%', false], ['dropped == 0', true]]);
  t.equal(summary.passed, false);
  t.type(summary.suspect, 'boolean');

  // The same top-level samples written as a CSV JTL: the same summary, field for field.
  const samples = (new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testResults: { httpSample: Record<string, string>[] } }).testResults.httpSample;
  const csv = ['timeStamp,elapsed,label,responseCode,responseMessage,threadName,success', ...samples.map((s) => [s['ts'], s['t'], `"${s['lb']}"`, s['rc'], `"${s['rm']}"`, s['tn'], s['s']].join(','))].join('\n');
  const fromCsv = reportFromJtl(csv);
  if (!fromCsv.ok) return t.fail(fromCsv.problem);
  t.same(summary, summarizeReport(fromCsv.report, 'jmeter-jtl'), 'XML and CSV agree');
  const okTimes = samples.filter((s) => s['s'] === 'true').map((s) => Number(s['t'])).sort((a, b) => a - b);
  t.ok(Math.abs(summary.latencyMs.max - okTimes.at(-1)!) < okTimes.at(-1)! * 0.01 + 0.01, `max ${summary.latencyMs.max} ms from the histogram, ${okTimes.at(-1)} ms in the file`);
});

t.test('a malformed XML JTL is refused naming the line or the element', async (t) => {
  const xml = await fixture();
  const cut = xml.slice(0, xml.indexOf('<httpSample', 600) + 30);
  t.match(reportFromJtlXml(cut), { ok: false, problem: /^the JTL is not well-formed XML: line \d+, column \d+: / });
  t.match(reportFromJtlXml(xml.replace('<httpSample t="', '<httpSample x="')), { ok: false, problem: /^JTL <httpSample> 1 \(lb="GET \/ok\?a=1&b=2"\): attribute t is missing/ });
  const third = xml.split('\n').filter((line) => line.startsWith('<httpSample'))[2]!;
  t.match(reportFromJtlXml(xml.replace(third, third.replace(/ s="(true|false)"/, ' s="yes"'))), { ok: false, problem: /^JTL <httpSample> 3 \(lb="POST \/fail"\): attribute s \(success\) must be true or false, is "yes"/ });
  t.match(reportFromJtlXml('<?xml version="1.0"?><results><sample/></results>'), { ok: false, problem: /no <testResults> root element \(found <results>\)/ });
  t.match(reportFromJtlXml('<testResults version="1.2"><httpSample t="1" ts="2" s="true" lb="a"/><note>x</note></testResults>'), { ok: false, problem: /JTL element 2 under <testResults> is <note>/ });
  t.match(reportFromJtlXml('<testResults version="1.2"></testResults>'), { ok: false, problem: 'the JTL has no samples' });
  t.ok(reportFromJtlXml(xml).ok, 'the file itself is read');
});

t.test('analyze_results over REST with analysisInput.jtlXml; a malformed one ends in error naming the line', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const xml = await fixture();
  const ask = (id: string, jtlXml: string) => h.call('POST', '/requests', { requestId: id, sourceAgentId: 'a', taskType: 'analyze_results', taskDescription: 'analyse', analysisInput: { jtlXml } });
  t.equal((await ask('x-ok', xml)).status, 202);
  t.equal((await h.waitFor('x-ok', ['completed', 'error'])).status, 'completed');
  const { summary } = (await h.call('GET', '/requests/x-ok/result')).body.result;
  t.same([summary.source, summary.requests, summary.errors], ['jmeter-jtl', 30, 10]);
  t.equal((await ask('x-bad', xml.slice(0, 500))).status, 202);
  const bad = await h.waitFor('x-bad', ['completed', 'error']);
  t.equal(bad.status, 'error');
  t.match(bad.error, /^analysisInput\.jtlXml: the JTL is not well-formed XML: line \d+/);
});
