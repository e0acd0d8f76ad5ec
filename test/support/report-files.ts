/** Reading the reports a run wrote; every JSON report read here is validated against the report's JSON Schema. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConformanceReport } from '../../reports/report.js';
import { reportProblems } from '../../reports/report-schema.js';

/** `dir/conformance.json` (or the file itself), checked against reports/conformance-report.schema.json. */
export function readReport(dirOrFile: string): ConformanceReport {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, 'conformance.json');
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const problems = reportProblems(value);
  if (problems.length > 0) throw new Error(`${file} does not match the report schema:\n${problems.slice(0, 20).join('\n')}`);
  return value as ConformanceReport;
}

/** The findings as comparable values, timings in the example's description aside. */
export function findingLines(report: ConformanceReport): unknown[] {
  return report.findings.map((finding) => ({
    ...finding,
    evidence: { ...finding.evidence, example: finding.evidence.example && { ...finding.evidence.example, description: finding.evidence.example.description.replace(/\d+(\.\d+)? ms\b/g, 'N ms') } },
  }));
}

/** The check results as comparable lines (id, event, status, reason), timings in reasons aside. */
export function resultLines(report: ConformanceReport): string[] {
  return report.checks.map((check) => [check.id, check.event ?? '-', check.status, (check.reason ?? '').replace(/\d+(\.\d+)? ms\b/g, 'N ms')].join(' | '));
}
