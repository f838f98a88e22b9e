/** Checks a topology report against its published JSON Schema (topology-report.schema.json). */
import { Ajv, type ValidateFunction } from 'ajv';
import schema from './topology-report.schema.json' with { type: 'json' };
import { describeAjvErrors } from '../config/ajv-errors.js';
import type { TopologyReport } from './report.js';

const ajv = new Ajv({ allErrors: true, strict: false });
let compiled: ValidateFunction<TopologyReport> | undefined;

export const TOPOLOGY_REPORT_SCHEMA: object = schema;

/** The problems of a value as a topology report, one line each with its key path; empty when valid. */
export function topologyReportProblems(value: unknown): string[] {
  const validate = (compiled ??= ajv.compile<TopologyReport>(schema));
  return validate(value) ? [] : describeAjvErrors(validate.errors ?? [], 'report');
}
