/**
 * From a request to a test plan: explicit fields win over what the description says, the
 * description fills the gaps, and what is still missing or said two ways is asked back, not
 * guessed. Conflicts the explicit fields settled are kept as notes in the result.
 */
import type { ApiEndpoint, ServeRequest } from '../http/request-schema.js';
import { parseDescription } from './parse-description.js';

export interface PlannedEndpoint {
  method: string;
  /** Path and query, relative to the base URL's origin. */
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface TestPlan {
  name: string;
  baseUrl: string;
  endpoints: PlannedEndpoint[];
  virtualUsers: number;
  durationSeconds: number;
  rampUpSeconds: number;
  thinkTimeMillis: number;
  /** Requests per second, all users together. */
  throughputTarget?: number;
  notes: string[];
}

export type PlanOutcome = { ok: true; plan: TestPlan } | { ok: false; question: string; missing: string[] };

const endpointOf = (e: ApiEndpoint): PlannedEndpoint => ({
  method: e.method ?? 'GET',
  path: e.path,
  ...(e.headers ? { headers: e.headers } : {}),
  ...(e.requestBody === undefined ? {} : { body: e.requestBody }),
});

export function planFromRequest(request: ServeRequest): PlanOutcome {
  const parsed = parseDescription([request.taskDescription, request.targetDetails?.userFlowDescription ?? ''].join('\n'));
  const explicit = request.performanceParameters ?? {};
  const questions: string[] = [];
  const missing: string[] = [];
  const notes: string[] = [];

  const pick = (field: string, given: number | undefined, fromText: number | undefined, label: string, unit: string): number | undefined => {
    const said = parsed.ambiguous[field];
    if (given !== undefined) {
      if (said) notes.push(`the description gives ${said.join(' and ')} ${unit} for ${label}; performanceParameters.${field} (${given}) wins`);
      else if (fromText !== undefined && fromText !== given) notes.push(`the description says ${fromText} ${unit} for ${label}; performanceParameters.${field} (${given}) wins`);
      return given;
    }
    if (said) {
      missing.push(`performanceParameters.${field}`);
      questions.push(`The description gives ${said.join(' and ')} ${unit} for ${label}: which one? (set performanceParameters.${field})`);
      return undefined;
    }
    return fromText;
  };

  const explicitDuration = explicit.durationSeconds ?? (explicit.durationMinutes === undefined ? undefined : explicit.durationMinutes * 60);
  const users = pick('virtualUsers', explicit.virtualUsers, parsed.virtualUsers, 'the number of users', 'users');
  const duration = pick('durationSeconds', explicitDuration, parsed.durationSeconds, 'the duration', 's');
  const rampUp = pick('rampUpSeconds', explicit.rampUpSeconds, parsed.rampUpSeconds, 'the ramp-up', 's');
  const think = pick('thinkTimeMillis', explicit.thinkTimeMillis, parsed.thinkTimeMillis, 'the think time', 'ms');
  const throughput = pick('throughputTarget', explicit.throughputTarget, parsed.throughputTarget, 'the throughput', 'requests/s');
  if (users === undefined && !missing.includes('performanceParameters.virtualUsers')) {
    missing.push('performanceParameters.virtualUsers');
    questions.push('How many virtual users? (set performanceParameters.virtualUsers)');
  }
  if (duration === undefined && !missing.includes('performanceParameters.durationSeconds')) {
    missing.push('performanceParameters.durationMinutes');
    questions.push('For how long? (set performanceParameters.durationMinutes or durationSeconds)');
  }

  let baseUrl = request.targetDetails?.url;
  if (baseUrl === undefined) {
    if (parsed.urls.length === 1) baseUrl = parsed.urls[0];
    else {
      missing.push('targetDetails.url');
      questions.push(parsed.urls.length === 0 ? 'Which application? (set targetDetails.url)' : `The description names ${parsed.urls.join(' and ')}: which one is the target? (set targetDetails.url)`);
    }
  } else if (parsed.urls.length > 0 && !parsed.urls.some((u) => u.startsWith(baseUrl!))) {
    notes.push(`the description names ${parsed.urls.join(', ')}; targetDetails.url (${baseUrl}) wins`);
  }

  let endpoints: PlannedEndpoint[] | undefined = request.targetDetails?.apiEndpoints?.map(endpointOf);
  if (!endpoints && parsed.endpoints.length > 0) endpoints = parsed.endpoints;
  if (!endpoints && baseUrl !== undefined && URL.canParse(baseUrl)) {
    const url = new URL(baseUrl);
    if (url.pathname !== '/' || url.search) endpoints = [{ method: 'GET', path: `${url.pathname}${url.search}` }];
  }
  if (!endpoints) {
    missing.push('targetDetails.apiEndpoints');
    const flow = request.targetDetails?.userFlowDescription ? ` for the flow "${request.targetDetails.userFlowDescription.slice(0, 200)}"` : '';
    questions.push(`Which requests (method and path) make the test${flow}? (set targetDetails.apiEndpoints, or write them as "GET /path" in the description)`);
  }

  if (questions.length > 0) return { ok: false, question: questions.join(' '), missing };
  if (rampUp === undefined) notes.push('no ramp-up given: every user starts at once');
  if (rampUp !== undefined && rampUp >= duration!) return { ok: false, question: `The ramp-up (${rampUp} s) is not shorter than the duration (${duration} s): which is meant?`, missing: ['performanceParameters.rampUpSeconds'] };
  return {
    ok: true,
    plan: {
      name: `agtest ${request.requestId}`,
      baseUrl: new URL(baseUrl!).origin,
      endpoints: endpoints!,
      virtualUsers: users!,
      durationSeconds: duration!,
      rampUpSeconds: rampUp ?? 0,
      thinkTimeMillis: think ?? 0,
      ...(throughput === undefined ? {} : { throughputTarget: throughput }),
      notes,
    },
  };
}
