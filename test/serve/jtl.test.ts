import t from 'tap';
import { reportFromJtl, summarizeReport } from '../../serve/index.js';

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
