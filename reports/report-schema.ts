/**
 * The JSON Schema of the report (`conformance-report.schema.json`, beside this file and in the package) and its
 * validator: `merge` checks every report it reads with it, and the tests check every report they write.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv } from '../specs/schema-validator.js';
import schema from './conformance-report.schema.json' with { type: 'json' };
import type { ConformanceReport } from './report.js';

export const REPORT_SCHEMA: object = schema;

let compiled: ValidateFunction | undefined;

/** The problems of a value as a report (`/checks/3/status: must be equal to one of the allowed values`); empty when valid. */
export function reportProblems(value: unknown): string[] {
  compiled ??= createAjv().compile(schema);
  if (compiled(value)) return [];
  return (compiled.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message ?? error.keyword}`);
}

export function isReport(value: unknown): value is ConformanceReport {
  return reportProblems(value).length === 0;
}
