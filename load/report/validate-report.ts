/** Checks a load report against its published JSON Schema (load-report.schema.json). */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import schema from './load-report.schema.json' with { type: 'json' };
import { AgtestError } from '../../common/index.js';
import { describeAjvErrors } from '../config/ajv-errors.js';
import type { LoadReport } from './report.js';

// ajv-formats ships CommonJS with a default export that NodeNext sees one level down.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
let compiled: ValidateFunction<LoadReport> | undefined;
/** Compiled at first use: the CLI imports this module for every command, and only load commands validate reports. */
const reportValidator = (): ValidateFunction<LoadReport> => (compiled ??= ajv.compile<LoadReport>(schema));

export const LOAD_REPORT_SCHEMA: object = schema;

/** The problems of a value as a load report, one line each with its key path; empty when valid. */
export function loadReportProblems(value: unknown): string[] {
  const validate = reportValidator();
  return validate(value) ? [] : describeAjvErrors(validate.errors ?? [], 'report');
}

export function assertLoadReport(value: unknown, file: string): LoadReport {
  const problems = loadReportProblems(value);
  if (problems.length > 0) throw new AgtestError('AGTEST_LOAD_REPORT_INVALID', `${file} is not a load report (schema_version 1): ${problems.slice(0, 5).join('; ')}`, { file });
  return value as LoadReport;
}
