/**
 * A JMeter test plan (JMX) → an agtest TestPlan, for execute_test with a `jmxScript`. What maps:
 * one thread group (users, ramp-up, scheduler duration), HTTP samplers (domain, port, protocol,
 * path, method, raw body or form arguments) in order, header managers, HTTP request defaults,
 * a constant timer (think time) and a constant throughput timer (target rate). Listeners only
 * write JMeter's own files and are skipped with a note; disabled elements are skipped, as JMeter
 * skips them. Everything else changes what the load does (scripts, data sets, extractors,
 * assertions, controllers, cookies) and is refused by name (element type and testname) before
 * any traffic, as is any `${…}`: JMeter variables and functions are not evaluated here.
 * Parsed with fast-xml-parser (ordered, so samplers keep their order); never with regexes.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { PlannedEndpoint, TestPlan } from './plan.js';

type XmlNode = Record<string, unknown>;

export interface JmxRefusal {
  /** The element type (its tag, e.g. JSR223Sampler) and its testname. */
  element: string;
  testname: string;
  reason: string;
}

/** A sampler's origin, so each can be checked against the allowlist before any traffic. */
export interface JmxTarget {
  sampler: string;
  url: string;
}

/** `targets`: every sampler's server, also when refused, so the allowlist can name each. */
export type JmxImport =
  | { ok: true; plan: TestPlan; targets: JmxTarget[] }
  | { ok: false; problem: string; refusals: JmxRefusal[]; targets: JmxTarget[] };

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false, trimValues: false });

const LISTENERS = new Set(['ResultCollector', 'Summariser', 'BackendListener']);

const tagOf = (node: XmlNode) => Object.keys(node).find((key) => key !== ':@')!;
const attrsOf = (node: XmlNode) => (node[':@'] ?? {}) as Record<string, string>;
const childrenOf = (node: XmlNode) => ((node[tagOf(node)] ?? []) as XmlNode[]).filter((child) => tagOf(child) !== '#text');
const textOf = (node: XmlNode) => ((node[tagOf(node)] ?? []) as XmlNode[]).map((child) => (tagOf(child) === '#text' ? String(child['#text']) : '')).join('');
const describe = (node: XmlNode) => `${tagOf(node)} '${attrsOf(node)['testname'] ?? attrsOf(node)['name'] ?? ''}'`;

/** The JMX text: plain XML, or base64 (the seeds' form). */
export function decodeJmx(script: string): { ok: true; xml: string } | { ok: false; problem: string } {
  const trimmed = script.trimStart();
  if (trimmed.startsWith('<')) return { ok: true, xml: script };
  const xml = Buffer.from(script, 'base64').toString('utf8');
  if (!xml.trimStart().startsWith('<')) return { ok: false, problem: 'jmxScript is neither XML nor base64 of XML' };
  return { ok: true, xml };
}

/** An element's properties by name: simple ones as text, elementProp / collectionProp as nodes. */
function propsOf(element: XmlNode): { values: Map<string, string>; nodes: Map<string, XmlNode> } {
  const values = new Map<string, string>();
  const nodes = new Map<string, XmlNode>();
  for (const child of childrenOf(element)) {
    const tag = tagOf(child);
    const name = attrsOf(child)['name'];
    if (tag === 'elementProp' || tag === 'collectionProp') {
      if (name !== undefined) nodes.set(name, child);
    } else if (/^(string|bool|int|long|double|float)Prop$/.test(tag)) {
      if (name !== undefined) values.set(name, textOf(child));
      else {
        // <doubleProp><name>throughput</name><value>…</value></doubleProp> (TestBean properties)
        const parts = new Map(childrenOf(child).map((part) => [tagOf(part), textOf(part)]));
        if (parts.has('name')) values.set(parts.get('name')!, parts.get('value') ?? '');
      }
    }
  }
  return { values, nodes };
}

/** The (element, its hashTree) pairs of a hashTree, in order. */
function pairsOf(hashTree: XmlNode): { element: XmlNode; tree: XmlNode | undefined }[] {
  const children = childrenOf(hashTree);
  const pairs: { element: XmlNode; tree: XmlNode | undefined }[] = [];
  for (let i = 0; i < children.length; i++) {
    const element = children[i]!;
    if (tagOf(element) === 'hashTree') continue;
    const next = children[i + 1];
    pairs.push({ element, tree: next && tagOf(next) === 'hashTree' ? next : undefined });
  }
  return pairs;
}

const enabled = (element: XmlNode) => attrsOf(element)['enabled'] !== 'false';

/** The collectionProp inside an elementProp (e.g. Arguments.arguments in HTTPsampler.Arguments). */
const collectionIn = (node: XmlNode | undefined) => (node ? childrenOf(node).find((child) => tagOf(child) === 'collectionProp') : undefined);

/** The rows of a collectionProp of elementProps, each as its simple properties. */
function rowsOf(collection: XmlNode | undefined): Map<string, string>[] {
  if (!collection) return [];
  return childrenOf(collection)
    .filter((row) => tagOf(row) === 'elementProp')
    .map((row) => propsOf(row).values);
}

interface Defaults {
  domain?: string;
  port?: string;
  protocol?: string;
}

export function importJmx(script: string): JmxImport {
  const decoded = decodeJmx(script);
  if (!decoded.ok) return { ok: false, problem: decoded.problem, refusals: [], targets: [] };
  const valid = XMLValidator.validate(decoded.xml);
  if (valid !== true) return { ok: false, problem: `jmxScript is not well-formed XML: line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`, refusals: [], targets: [] };
  const document = parser.parse(decoded.xml) as XmlNode[];
  const root = document.find((node) => tagOf(node) === 'jmeterTestPlan');
  if (!root) return { ok: false, problem: 'jmxScript is not a JMeter test plan: no <jmeterTestPlan> root element', refusals: [], targets: [] };
  const rootTree = childrenOf(root).find((node) => tagOf(node) === 'hashTree');
  const refusals: JmxRefusal[] = [];
  const notes: string[] = [];
  const refuse = (element: XmlNode, reason: string) => refusals.push({ element: tagOf(element), testname: attrsOf(element)['testname'] ?? '', reason });
  /** Any `${` in a value this translation uses: JMeter would evaluate it, agtest would send it as is. */
  const literal = (element: XmlNode, property: string, value: string | undefined) => {
    if (value?.includes('${')) refuse(element, `${property} uses \${…} (JMeter variables and functions are not translated): ${JSON.stringify(value.slice(0, 80))}`);
    return value;
  };

  const planPairs = rootTree ? pairsOf(rootTree) : [];
  const testPlan = planPairs.find((p) => tagOf(p.element) === 'TestPlan');
  if (!testPlan) return { ok: false, problem: 'jmxScript has no TestPlan element', refusals: [], targets: [] };
  for (const other of planPairs.filter((p) => p !== testPlan)) refuse(other.element, 'outside the TestPlan');
  const planProps = propsOf(testPlan.element);
  if (rowsOf(collectionIn(planProps.nodes.get('TestPlan.user_defined_variables'))).length > 0) refuse(testPlan.element, 'user defined variables are not translated');

  let threadGroup: { element: XmlNode; tree: XmlNode | undefined } | undefined;
  const defaults: Defaults = {};
  const planHeaders: Record<string, string> = {};
  const timers: { element: XmlNode }[] = [];

  const visitConfig = (element: XmlNode, headers: Record<string, string>): boolean => {
    const tag = tagOf(element);
    if (tag === 'HeaderManager') {
      for (const row of rowsOf(propsOf(element).nodes.get('HeaderManager.headers'))) {
        const name = row.get('Header.name') ?? '';
        headers[name] = literal(element, `header ${name}`, row.get('Header.value')) ?? '';
      }
      return true;
    }
    if (tag === 'ConfigTestElement' && attrsOf(element)['guiclass'] === 'HttpDefaultsGui') {
      const { values, nodes } = propsOf(element);
      for (const [field, property] of [['domain', 'HTTPSampler.domain'], ['port', 'HTTPSampler.port'], ['protocol', 'HTTPSampler.protocol']] as const) {
        const value = literal(element, property, values.get(property));
        if (value) defaults[field] = value;
      }
      if (values.get('HTTPSampler.path')) refuse(element, 'a default path is not translated');
      if (rowsOf(collectionIn(nodes.get('HTTPsampler.Arguments'))).length > 0) refuse(element, 'default parameters are not translated');
      return true;
    }
    if (tag === 'ConstantTimer' || tag === 'ConstantThroughputTimer') {
      timers.push({ element });
      return true;
    }
    if (LISTENERS.has(tag)) {
      notes.push(`${describe(element)} skipped: a listener writes JMeter's own files; agtest writes its report`);
      return true;
    }
    return false;
  };

  for (const { element, tree } of testPlan.tree ? pairsOf(testPlan.tree) : []) {
    if (!enabled(element)) {
      notes.push(`${describe(element)} skipped: disabled`);
      continue;
    }
    if (tagOf(element) === 'ThreadGroup') {
      if (threadGroup) refuse(element, 'a second thread group: agtest runs one group of virtual users per plan');
      else threadGroup = { element, tree };
      continue;
    }
    if (visitConfig(element, planHeaders)) continue;
    refuse(element, 'not translatable to an agtest load plan');
  }
  if (!threadGroup) return { ok: false, problem: ['jmxScript has no enabled ThreadGroup', ...refusals.map((r) => `${r.element} '${r.testname}': ${r.reason}`)].join('; '), refusals, targets: [] };

  const tg = propsOf(threadGroup.element);
  const number = (property: string) => {
    const text = literal(threadGroup!.element, property, tg.values.get(property));
    return text === undefined || text === '' ? undefined : Number(text);
  };
  const users = number('ThreadGroup.num_threads');
  const rampUp = number('ThreadGroup.ramp_time') ?? 0;
  const duration = number('ThreadGroup.duration');
  const loopNode = tg.nodes.get('ThreadGroup.main_controller');
  const loops = loopNode ? propsOf(loopNode).values.get('LoopController.loops') : undefined;
  if (!Number.isInteger(users) || users! < 1) refuse(threadGroup.element, `ThreadGroup.num_threads must be a positive integer, is ${JSON.stringify(tg.values.get('ThreadGroup.num_threads'))}`);
  if (tg.values.get('ThreadGroup.scheduler') !== 'true' || !Number.isInteger(duration) || duration! < 1) refuse(threadGroup.element, 'no scheduler duration: agtest runs for a duration (set the scheduler and ThreadGroup.duration)');
  if (loops !== undefined && loops !== '-1') refuse(threadGroup.element, `a loop count of ${loops}: agtest runs for a duration, not a number of loops (set loops to -1, "forever")`);
  if (!Number.isInteger(rampUp) || rampUp < 0) refuse(threadGroup.element, `ThreadGroup.ramp_time must be 0 or more seconds, is ${JSON.stringify(tg.values.get('ThreadGroup.ramp_time'))}`);
  const onError = tg.values.get('ThreadGroup.on_sample_error') ?? 'continue';
  if (onError !== 'continue') refuse(threadGroup.element, `on_sample_error ${onError}: agtest continues after an error (counted), it does not stop threads or the test`);
  const delay = Number(tg.values.get('ThreadGroup.delay') || '0');
  if (delay !== 0) refuse(threadGroup.element, `a startup delay of ${delay} s is not translated`);

  const groupHeaders: Record<string, string> = { ...planHeaders };
  const samplers: { element: XmlNode; tree: XmlNode | undefined }[] = [];
  for (const { element, tree } of threadGroup.tree ? pairsOf(threadGroup.tree) : []) {
    if (!enabled(element)) {
      notes.push(`${describe(element)} skipped: disabled`);
      continue;
    }
    if (tagOf(element) === 'HTTPSamplerProxy') samplers.push({ element, tree });
    else if (!visitConfig(element, groupHeaders)) refuse(element, tagOf(element).endsWith('Sampler') ? 'not an HTTP sampler: agtest runs HTTP Request samplers (HTTPSamplerProxy) only' : 'not translatable to an agtest load plan');
  }
  if (samplers.length === 0) refuse(threadGroup.element, 'no enabled HTTP sampler');

  let thinkTimeMillis = 0;
  let throughputTarget: number | undefined;
  for (const { element } of timers) {
    const { values } = propsOf(element);
    if (tagOf(element) === 'ConstantTimer') {
      const delayMs = Number(literal(element, 'ConstantTimer.delay', values.get('ConstantTimer.delay')));
      if (!Number.isInteger(delayMs) || delayMs < 0) refuse(element, `ConstantTimer.delay must be whole milliseconds, is ${JSON.stringify(values.get('ConstantTimer.delay'))}`);
      else thinkTimeMillis += delayMs;
      continue;
    }
    const perMinute = Number(literal(element, 'throughput', values.get('throughput')));
    const mode = values.get('calcMode') ?? '0';
    if (!(perMinute > 0)) refuse(element, `throughput must be a positive number of samples per minute, is ${JSON.stringify(values.get('throughput'))}`);
    // calcMode 0: this thread only (so all users together: × users); 1 and 2: all active threads (of the one group).
    else if (mode === '0') throughputTarget = (perMinute / 60) * (users ?? 1);
    else if (mode === '1' || mode === '2') throughputTarget = perMinute / 60;
    else refuse(element, `calcMode ${mode} (shared across thread groups) is not translated`);
  }

  const endpoints: PlannedEndpoint[] = [];
  const targets: JmxTarget[] = [];
  for (const { element, tree } of samplers) {
    const { values, nodes } = propsOf(element);
    const sampler = describe(element);
    const headers: Record<string, string> = { ...groupHeaders };
    for (const { element: child } of tree ? pairsOf(tree) : []) {
      if (!enabled(child)) notes.push(`${describe(child)} skipped: disabled`);
      else if (tagOf(child) !== 'HeaderManager') refuse(child, `under ${sampler}: not translatable to an agtest load plan`);
      else visitConfig(child, headers);
    }
    const get = (property: string) => literal(element, property, values.get(property));
    const protocol = (get('HTTPSampler.protocol') || defaults.protocol || 'http').toLowerCase();
    const domain = get('HTTPSampler.domain') || defaults.domain;
    const port = get('HTTPSampler.port') || defaults.port || '';
    const method = (get('HTTPSampler.method') || 'GET').toUpperCase();
    let path = get('HTTPSampler.path') || '/';
    if (protocol !== 'http' && protocol !== 'https') refuse(element, `protocol ${protocol}: HTTP and HTTPS only`);
    if (!domain) refuse(element, 'no server name (HTTPSampler.domain, or HTTP Request Defaults)');
    if (values.get('HTTPSampler.DO_MULTIPART_POST') === 'true') refuse(element, 'a multipart POST is not translated');
    if (values.get('HTTPSampler.image_parser') === 'true') refuse(element, 'downloads embedded resources, which agtest does not');
    if (rowsOf(collectionIn(nodes.get('HTTPsampler.Files'))).length > 0) refuse(element, 'uploads files, which agtest does not');
    if (values.get('HTTPSampler.follow_redirects') === 'true' || values.get('HTTPSampler.auto_redirects') === 'true') {
      notes.push(`${sampler} follows redirects in JMeter; agtest never does (a redirect could leave the allowlist): a 3xx counts as an http-status error`);
    }
    if (/^[a-z]+:\/\//i.test(path)) refuse(element, `an absolute URL in HTTPSampler.path (${path.slice(0, 80)}) is not translated: put the host in HTTPSampler.domain`);
    if (!path.startsWith('/')) path = `/${path}`;
    const args = rowsOf(collectionIn(nodes.get('HTTPsampler.Arguments')));
    let body: string | undefined;
    if (values.get('HTTPSampler.postBodyRaw') === 'true') {
      body = args.map((row) => literal(element, 'the raw body', row.get('Argument.value')) ?? '').join('');
    } else if (args.length > 0) {
      const form = new URLSearchParams(args.map((row) => [literal(element, 'an argument name', row.get('Argument.name')) ?? '', literal(element, 'an argument value', row.get('Argument.value')) ?? '']));
      if (['POST', 'PUT', 'PATCH'].includes(method)) {
        body = form.toString();
        if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
      } else path += `${path.includes('?') ? '&' : '?'}${form.toString()}`;
    }
    if (domain && (protocol === 'http' || protocol === 'https')) {
      const host = domain.includes(':') && !domain.startsWith('[') ? `[${domain}]` : domain;
      const origin = `${protocol}://${host}${port && port !== (protocol === 'https' ? '443' : '80') ? `:${port}` : ''}`;
      if (!URL.canParse(origin)) refuse(element, `${origin} is not a URL`);
      else targets.push({ sampler, url: new URL(origin).origin });
    }
    endpoints.push({ method, path, ...(Object.keys(headers).length > 0 ? { headers } : {}), ...(body === undefined ? {} : { body }) });
  }

  const origins = [...new Set(targets.map((target) => target.url))];
  if (origins.length > 1) {
    const second = targets.find((target) => target.url !== origins[0])!;
    refuse(samplers.find((s) => describe(s.element) === second.sampler)!.element, `a second server (${second.url}; the first is ${origins[0]}): agtest loads one server per plan`);
  }
  if (refusals.length > 0) return { ok: false, problem: refusals.map((r) => `${r.element} '${r.testname}': ${r.reason}`).join('; '), refusals, targets };
  if (rampUp >= duration!) return { ok: false, problem: `ThreadGroup '${attrsOf(threadGroup.element)['testname'] ?? ''}': the ramp-up (${rampUp} s) is not shorter than the duration (${duration} s)`, refusals: [], targets };
  return {
    ok: true,
    targets,
    plan: {
      name: attrsOf(testPlan.element)['testname'] || 'JMX plan',
      baseUrl: origins[0]!,
      endpoints,
      virtualUsers: users!,
      durationSeconds: duration!,
      rampUpSeconds: rampUp,
      thinkTimeMillis,
      ...(throughputTarget === undefined ? {} : { throughputTarget }),
      notes,
    },
  };
}
