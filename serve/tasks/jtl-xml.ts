/**
 * A JMeter XML results file (`jmeter.save.saveservice.output_format=xml`): `<testResults>` with one
 * `<httpSample>` or `<sample>` per top-level sample, its figures as attributes (t elapsed, ts
 * start, s success, lb label, rc / rm response code and message). Sub-samples (redirects,
 * embedded resources, nested under their parent) are in the parent's time, as JMeter's own
 * aggregate counts them: not counted again. Parsed with fast-xml-parser; a malformed file is
 * refused with the line and column, a bad sample with its position and label.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { JtlSample } from './jtl-sample.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false, preserveOrder: true });

type XmlNode = Record<string, unknown>;
const tagOf = (node: XmlNode) => Object.keys(node).find((key) => key !== ':@')!;
const attrsOf = (node: XmlNode) => (node[':@'] ?? {}) as Record<string, string>;

const SAMPLE_TAGS = new Set(['httpSample', 'sample']);

export function samplesFromXml(text: string): { ok: true; samples: JtlSample[] } | { ok: false; problem: string } {
  if (text.trim() === '') return { ok: false, problem: 'the JTL is empty' };
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { ok: false, problem: `the JTL is not well-formed XML: line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}` };
  const document = parser.parse(text) as XmlNode[];
  const root = document.find((node) => tagOf(node) === 'testResults');
  if (!root) return { ok: false, problem: `the JTL has no <testResults> root element (found ${document.map(tagOf).filter((tag) => !tag.startsWith('?') && tag !== '#text').map((tag) => `<${tag}>`).join(', ') || 'none'})` };
  const samples: JtlSample[] = [];
  let position = 0;
  for (const node of (root['testResults'] ?? []) as XmlNode[]) {
    const tag = tagOf(node);
    if (tag === '#text') continue;
    position += 1;
    if (!SAMPLE_TAGS.has(tag)) return { ok: false, problem: `JTL element ${position} under <testResults> is <${tag}>, not <httpSample> or <sample>` };
    const a = attrsOf(node);
    const where = `JTL <${tag}> ${position}${a['lb'] === undefined ? '' : ` (lb="${a['lb'].slice(0, 80)}")`}`;
    for (const name of ['t', 'ts']) {
      if (a[name] === undefined || !/^\d+$/.test(a[name])) return { ok: false, problem: `${where}: attribute ${name} ${a[name] === undefined ? 'is missing' : `is not a whole number (${JSON.stringify(a[name].slice(0, 40))})`}` };
    }
    if (a['lb'] === undefined) return { ok: false, problem: `${where}: attribute lb (label) is missing` };
    if (a['s'] !== 'true' && a['s'] !== 'false') return { ok: false, problem: `${where}: attribute s (success) must be true or false, is ${a['s'] === undefined ? 'missing' : JSON.stringify(a['s'])}` };
    samples.push({ timeStamp: Number(a['ts']), elapsed: Number(a['t']), label: a['lb'], responseCode: a['rc'] ?? '', responseMessage: a['rm'] ?? '', success: a['s'] === 'true' });
  }
  if (samples.length === 0) return { ok: false, problem: 'the JTL has no samples' };
  return { ok: true, samples };
}
