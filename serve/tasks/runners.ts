/**
 * The task runners: each turns a job into an outcome through the same programmatic API the CLI
 * uses (plan generation, agtest load, report analysis). The REST face only makes jobs.
 */
import { describeError } from '../../common/index.js';
import type { TaskRunner } from '../jobs/engine.js';
import type { ServeRequest } from '../http/request-schema.js';
import type { KeyStore } from '../security/api-keys.js';
import { isIP } from 'node:net';
import { checkTarget, type Resolver } from '../security/target-guard.js';
import { analyzeLoadReport, summarizeReport } from './analyze.js';
import { reportFromJtl, reportFromJtlXml } from './jtl.js';
import { renderJmx } from './jmx.js';
import { runPlan, toLoadConfig, type Pin } from './load-plan.js';
import { planFromRequest, type TestPlan } from './plan.js';
import { redactDeep } from './secrets.js';
import { certifyTargetOf, guardAgentCard, guardCertify, runCertify } from './certify.js';
import { compareRequested } from './compare.js';
import { importJmx } from './jmx-import.js';
import type { JobStore } from '../jobs/job-store.js';

/** Bounds on what one request may ask for. */
export interface Caps {
  maxUsers: number;
  maxDurationSeconds: number;
  maxBodyBytes: number;
}

export const DEFAULT_CAPS: Caps = { maxUsers: 50, maxDurationSeconds: 600, maxBodyBytes: 256 * 1024 };

/** Why the plan is over the caps, by field; empty when within. */
export function capProblems(plan: TestPlan, caps: Caps): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (plan.virtualUsers > caps.maxUsers) problems.push({ field: 'performanceParameters.virtualUsers', message: `${plan.virtualUsers} users is over this server's cap of ${caps.maxUsers}` });
  if (plan.durationSeconds > caps.maxDurationSeconds) problems.push({ field: 'performanceParameters.durationMinutes', message: `${plan.durationSeconds} s is over this server's cap of ${caps.maxDurationSeconds} s` });
  return problems;
}

/** "${" in anything that goes into a JMX would be evaluated by JMeter as a function call. */
export function jmeterFunctionProblems(plan: TestPlan): { field: string; message: string }[] {
  const texts = plan.endpoints.flatMap((e, i) => [
    [`targetDetails.apiEndpoints[${i}].path`, e.path],
    ...Object.entries(e.headers ?? {}).map(([name, value]) => [`targetDetails.apiEndpoints[${i}].headers.${name}`, value]),
    ...(e.body === undefined ? [] : [[`targetDetails.apiEndpoints[${i}].requestBody`, typeof e.body === 'string' ? e.body : JSON.stringify(e.body)]]),
  ]);
  return texts.filter(([, text]) => text!.includes('${')).map(([field]) => ({ field: field!, message: 'contains "${", which JMeter evaluates as a function call: refused' }));
}

/**
 * An endpoint whose path leads to another origin than the target's: `//host/x` and `/\host/x` start
 * with "/" but are read as network-path references, so the load would go to a server never checked.
 */
export function offOriginEndpoint(plan: TestPlan): string | undefined {
  const origin = new URL(plan.baseUrl).origin;
  for (const e of plan.endpoints) {
    const reached = new URL(e.path, plan.baseUrl).origin;
    if (reached !== origin) return `the endpoint ${e.method} ${e.path} leads to ${reached}, not to the target ${origin}`;
  }
  return undefined;
}

/**
 * Where the plan's load may go, checked now against the key's allowlist: the pin (the checked
 * addresses of the host name, for http: and https:), or why not.
 */
export async function guardPlan(plan: TestPlan, allowlist: readonly string[], resolve: Resolver): Promise<{ ok: true; pin?: Pin } | { ok: false; reason: string; field?: string }> {
  const check = await checkTarget(plan.baseUrl, allowlist, resolve);
  if (!check.ok) return check;
  const offOrigin = offOriginEndpoint(plan);
  if (offOrigin) return { ok: false, reason: offOrigin, field: 'targetDetails.apiEndpoints' };
  const host = check.url.hostname.replace(/^\[|\]$/g, '');
  // An address literal is connected to as it is: no lookup to pin.
  return isIP(host) ? { ok: true } : { ok: true, pin: { host, addresses: check.addresses } };
}

export type Translation = { ok: true; plan: TestPlan } | { ok: false; status: 403 | 422; code: string; problems: { field: string; message: string }[] };

/**
 * A jmxScript → the plan agtest runs, or why not: every sampler's server off the key's allowlist
 * (403, each named), then whatever is not translatable (422, each element named), then the caps.
 */
export async function translateJmx(script: string, allowlist: readonly string[], resolve: Resolver, caps: Caps): Promise<Translation> {
  const imported = importJmx(script);
  const offList: { field: string; message: string }[] = [];
  for (const target of imported.targets) {
    const check = await checkTarget(target.url, allowlist, resolve);
    if (!check.ok) offList.push({ field: 'jmxScript', message: `${target.sampler}: target refused: ${check.reason}` });
  }
  if (offList.length > 0) return { ok: false, status: 403, code: 'target_not_allowed', problems: offList };
  if (!imported.ok) return { ok: false, status: 422, code: 'jmx_not_translatable', problems: imported.refusals.length > 0 ? imported.refusals.map((r) => ({ field: 'jmxScript', message: `${r.element} '${r.testname}': ${r.reason}` })) : [{ field: 'jmxScript', message: imported.problem }] };
  const over = capProblems(imported.plan, caps).map((problem) => ({ field: 'jmxScript', message: `${problem.field.replace('performanceParameters.', 'the ThreadGroup\'s ')} ${problem.message}` }));
  if (over.length > 0) return { ok: false, status: 422, code: 'over_limits', problems: over };
  return { ok: true, plan: imported.plan };
}

export interface RunnerDeps {
  keys: KeyStore;
  store: JobStore;
  resolve: Resolver;
  caps: Caps;
}

export function createRunners(deps: RunnerDeps): Record<string, TaskRunner> {
  const plan = (request: ServeRequest) => {
    const outcome = planFromRequest(request);
    if (!outcome.ok) return { status: 'input_required' as const, question: outcome.question, detail: { missing: outcome.missing } };
    const problems = [...capProblems(outcome.plan, deps.caps), ...jmeterFunctionProblems(outcome.plan)];
    if (problems.length > 0) return { status: 'error' as const, error: problems.map((p) => `${p.field} ${p.message}`).join('; ') };
    return outcome.plan;
  };
  const generated = (p: TestPlan) => ({ plan: redactDeep(p), agtestLoadConfig: redactDeep(toLoadConfig(p)), jmx: renderJmx(p), notes: p.notes });

  const execute = (withScript: boolean): TaskRunner =>
    async (job, ctx) => {
      const request = job.request as unknown as ServeRequest;
      const key = deps.keys.get(job.keyId);
      if (!key || key.revokedAt) return { status: 'error', error: 'the API key that sent this request was revoked' };
      let p: TestPlan;
      if (request.jmxScript !== undefined) {
        const translated = await translateJmx(request.jmxScript, key.targets, deps.resolve, deps.caps);
        if (!translated.ok) return { status: 'error', error: translated.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ') };
        p = translated.plan;
      } else {
        const planned = plan(request);
        if (!('baseUrl' in planned)) return planned;
        p = planned;
      }
      // Checked again now, right before the traffic: the name may resolve elsewhere than at submission.
      const guard = await guardPlan(p, key.targets, deps.resolve);
      if (!guard.ok) return { status: 'error', error: `target refused: ${guard.reason}` };
      ctx.progress({ phase: 'load starting', users: p.virtualUsers, durationS: p.durationSeconds });
      let report;
      try {
        report = await runPlan(p, { signal: ctx.signal, ...(guard.pin ? { pin: guard.pin } : {}), onProgress: ctx.progress });
      } catch (error) {
        return { status: 'error', error: `the load could not run: ${describeError(error)}` };
      }
      const analysis = analyzeLoadReport(report);
      return { status: 'completed', result: { ...(withScript ? generated(p) : { plan: redactDeep(p), notes: p.notes }), ...(request.jmxScript === undefined ? {} : { translatedFrom: 'jmxScript' }), report, summary: analysis.ok ? analysis.summary : null } };
    };

  return {
    generate_script: async (job) => {
      const p = plan(job.request as unknown as ServeRequest);
      if (!('baseUrl' in p)) return p;
      return { status: 'completed', result: generated(p) };
    },
    execute_test: execute(false),
    generate_and_execute: execute(true),
    analyze_results: async (job) => {
      const input = (job.request as unknown as ServeRequest).analysisInput;
      if (input === undefined) return { status: 'input_required', question: 'Which results? Put an agtest load report (JSON) in analysisInput, or a JMeter JTL as analysisInput.jtlCsv (CSV) or analysisInput.jtlXml (XML).', detail: { missing: ['analysisInput'] } };
      for (const [field, read] of [['jtlCsv', reportFromJtl], ['jtlXml', reportFromJtlXml]] as const) {
        if (typeof input[field] !== 'string') continue;
        const jtl = read(input[field]);
        if (!jtl.ok) return { status: 'error', error: `analysisInput.${field}: ${jtl.problem}` };
        return { status: 'completed', result: { summary: summarizeReport(jtl.report, 'jmeter-jtl') } };
      }
      const analysis = analyzeLoadReport(input);
      if (!analysis.ok) return { status: 'error', error: `analysisInput is not a valid agtest load report: ${analysis.problems.slice(0, 5).join('; ')}` };
      return { status: 'completed', result: { summary: analysis.summary } };
    },
    certify: async (job, ctx) => {
      const target = certifyTargetOf(job.request as unknown as ServeRequest);
      if (!target.ok) return { status: 'input_required', question: target.question, detail: { missing: target.missing } };
      const key = deps.keys.get(job.keyId);
      if (!key || key.revokedAt) return { status: 'error', error: 'the API key that sent this request was revoked' };
      // Checked again now, right before the traffic (as for load), and the card's URLs with it.
      const guard = await guardCertify(target.target, key.targets, deps.resolve);
      if (!guard.ok) return { status: 'error', error: `target refused: ${guard.field}: ${guard.reason}` };
      if (target.target.protocol === 'a2a') {
        ctx.progress({ phase: 'reading the Agent Card' });
        const card = await guardAgentCard(target.target.url, key.targets, deps.resolve, ctx.signal);
        if (!card.ok) return { status: 'error', error: `target refused: ${card.reason}` };
      }
      ctx.progress({ phase: 'certifying', protocol: target.target.protocol });
      const outcome = await runCertify(target.target, { signal: ctx.signal, timeoutMs: deps.caps.maxDurationSeconds * 1000, guard: { pins: guard.pins, allow: key.targets }, resolve: deps.resolve });
      if (!outcome.ok) return { status: 'error', error: outcome.error };
      return { status: 'completed', result: outcome.result };
    },
    compare_profiles: async (job) => {
      const profiles = (job.request as unknown as ServeRequest).profiles;
      if (profiles === undefined) return { status: 'input_required', question: 'Which two profiles? Put them in profiles: each an interop profile, or {"requestId": "<an earlier certify request>"}.', detail: { missing: ['profiles'] } };
      const compared = compareRequested(profiles, deps.store, job.keyId);
      return compared.ok ? { status: 'completed', result: compared.result } : { status: 'error', error: compared.error };
    },
  };
}
