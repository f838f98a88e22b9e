/**
 * A JMeter results file (JTL, CSV or XML) as an agtest load report, so analyze_results gives the
 * same summary for all: each sample is one iteration with one step (its label); elapsed times go
 * into the same HDR histograms, so percentiles come from histograms, never from averages.
 */
import { buildReport, createHistogram, recordMicros, type LoadReport } from '../../load/index.js';
import { samplesFromXml } from './jtl-xml.js';
import type { JtlSample } from './jtl-sample.js';


type Measurements = Parameters<typeof buildReport>[0]['measurements'];
type Histogram = ReturnType<typeof createHistogram>;

/** JMeter 2.13's default CSV columns, written without a header line. */
const JMETER_213_COLUMNS = ['timeStamp', 'elapsed', 'label', 'responseCode', 'responseMessage', 'threadName', 'dataType', 'success', 'bytes', 'grpThreads', 'allThreads', 'Latency'];

/** One CSV line (JMeter quotes a field holding the delimiter or a quote, doubling its quotes). */
function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** JMeter's failure text → agtest's error classes. */
function errorClass(code: string, message: string): string {
  if (/^\d{3}$/.test(code)) return 'http-status';
  const text = `${code} ${message}`;
  if (/ConnectException|Connection refused/i.test(text)) return 'refused';
  if (/Timeout/i.test(text)) return 'timeout';
  if (/Socket|Connection reset|NoHttpResponse|EOF/i.test(text)) return 'transport';
  return 'other';
}

export type JtlOutcome = { ok: true; report: LoadReport } | { ok: false; problem: string };

/** A CSV JTL's samples (with a header line, or JMeter 2.13's default header-less columns). */
function samplesFromCsv(text: string): { ok: true; samples: JtlSample[] } | { ok: false; problem: string } {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) return { ok: false, problem: 'the JTL is empty' };
  const header = lines[0]!.startsWith('timeStamp,') ? splitCsv(lines.shift()!) : JMETER_213_COLUMNS;
  const col = (name: string) => header.indexOf(name);
  const [ts, elapsed, label, code, message, success] = ['timeStamp', 'elapsed', 'label', 'responseCode', 'responseMessage', 'success'].map(col) as [number, number, number, number, number, number];
  if ([ts, elapsed, label, success].some((i) => i < 0)) return { ok: false, problem: 'the JTL needs the columns timeStamp, elapsed, label and success (CSV with a header line, or JMeter 2.13\'s default columns)' };
  const samples: JtlSample[] = [];
  for (const [i, line] of lines.entries()) {
    const fields = splitCsv(line);
    if (fields.length < header.length || !/^\d+$/.test(fields[ts]!) || !/^\d+$/.test(fields[elapsed]!)) return { ok: false, problem: `JTL line ${i + 1 + (header === JMETER_213_COLUMNS ? 0 : 1)} is not a sample: ${JSON.stringify(line.slice(0, 120))}` };
    samples.push({ timeStamp: Number(fields[ts]), elapsed: Number(fields[elapsed]), label: fields[label]!, responseCode: code < 0 ? '' : fields[code]!, responseMessage: message < 0 ? '' : fields[message]!, success: fields[success] === 'true' });
  }
  return { ok: true, samples };
}

/** A CSV JTL as a load report. */
export function reportFromJtl(text: string): JtlOutcome {
  const parsed = samplesFromCsv(text);
  return parsed.ok ? { ok: true, report: reportFromSamples(parsed.samples) } : parsed;
}

/** An XML JTL (`jmeter.save.saveservice.output_format=xml`) as a load report. */
export function reportFromJtlXml(text: string): JtlOutcome {
  const parsed = samplesFromXml(text);
  return parsed.ok ? { ok: true, report: reportFromSamples(parsed.samples) } : parsed;
}

export function reportFromSamples(samples: readonly JtlSample[]): LoadReport {
  const newStep = () => ({ latency: { ok: createHistogram(), error: createHistogram() }, service: { ok: createHistogram(), error: createHistogram() } });
  const steps = new Map<string, ReturnType<typeof newStep>>();
  const total = newStep();
  const errors = new Map<string, { count: number; examples: { iteration: number; step?: string; message: string; at_s: number; detail?: Record<string, unknown> }[] }>();
  const seconds = new Map<number, { started: number; ok: number; errors: number; dropped: number; latency: Histogram }>();
  const start = Math.min(...samples.map((sample) => sample.timeStamp));
  const end = Math.max(...samples.map((sample) => sample.timeStamp + sample.elapsed));
  let ok = 0;
  for (const [i, sample] of samples.entries()) {
    const name = sample.label;
    const micros = sample.elapsed * 1000;
    const outcome = sample.success ? 'ok' : 'error';
    if (!steps.has(name)) steps.set(name, newStep());
    for (const step of [steps.get(name)!, total]) {
      recordMicros(step.latency[outcome], micros);
      recordMicros(step.service[outcome], micros);
    }
    const second = Math.floor((sample.timeStamp - start) / 1000);
    const bucket = seconds.get(second) ?? { started: 0, ok: 0, errors: 0, dropped: 0, latency: createHistogram() };
    bucket.started += 1;
    bucket[outcome === 'ok' ? 'ok' : 'errors'] += 1;
    recordMicros(bucket.latency, micros);
    seconds.set(second, bucket);
    if (outcome === 'ok') {
      ok += 1;
      continue;
    }
    const cls = errorClass(sample.responseCode, sample.responseMessage);
    const errorBucket = errors.get(cls) ?? { count: 0, examples: [] };
    errorBucket.count += 1;
    if (errorBucket.examples.length < 5) errorBucket.examples.push({ iteration: i, step: name, message: `${name}: ${sample.responseCode} ${sample.responseMessage}`.trim(), at_s: second, detail: { responseCode: sample.responseCode || null } });
    errors.set(cls, errorBucket);
  }
  steps.set('total', total);
  const n = samples.length;
  const measurements: Measurements = {
    counters: { scheduled: n, started: n, ok, errors: n - ok, dropped: 0, interrupted: 0, maxInFlight: 0 },
    steps,
    startLag: createHistogram(),
    errors,
    seconds,
  };
  return buildReport({
    scenario: 'jmeter',
    config: { source: 'jmeter-jtl' },
    shard: null,
    mergedFrom: null,
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(end).toISOString(),
    durationS: Math.max(0.001, (end - start) / 1000),
    measurements,
    health: [],
  });
}
