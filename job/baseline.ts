/**
 * Baseline files (`--baseline FILE`, `conformance baseline write FILE`): reading one (checked against
 * `baseline.schema.json`, shipped in the package; a problem is one line) and writing one from a run's findings.
 * What a baseline does to a report is reports/baseline.ts.
 *
 * The file:
 *   { "accept": [
 *       { "finding": "reserialized-body", "level": "SHOULD", "checks": ["signature.raw-body"], "reason": "..." },
 *       { "check": "robustness.burst", "reason": "..." },
 *       { "check": "acknowledgement.valid", "events": ["recording.completed"], "reason": "..." } ] }
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Baseline, BaselineEntry } from '../reports/baseline.js';
import type { ConformanceReport } from '../reports/report.js';
import { createAjv } from '../specs/schema-validator.js';
import schema from './baseline.schema.json' with { type: 'json' };
import { UsageError } from './usage-error.js';

export type { Baseline, BaselineEntry } from '../reports/baseline.js';

export const BASELINE_SCHEMA: object = schema;

let compiled: ValidateFunction | undefined;

/** Reads and checks a baseline file; `cwd` is where reports name it from. */
export async function readBaseline(file: string, cwd: string): Promise<Baseline> {
  const name = path.relative(cwd, file) || file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`baseline ${name}: cannot read it (write one with: conformance baseline write ${name})`);
  }
  return parseBaseline(text, name);
}

/** Checks the text of a baseline file named `name`. */
export function parseBaseline(text: string, name: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`baseline ${name}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  compiled ??= createAjv().compile(schema);
  if (!compiled(value)) throw new UsageError(`baseline ${name}: ${problem(compiled.errors ?? [])}`);
  return { file: name, entries: (value as { accept: BaselineEntry[] }).accept };
}

function problem(errors: readonly { keyword: string; instancePath: string; params: Record<string, unknown>; message?: string }[]): string {
  const entry = /^\/accept\/(\d+)/.exec(errors.find((error) => error.instancePath.startsWith('/accept/'))?.instancePath ?? '');
  const unknown = errors.find((error) => error.keyword === 'additionalProperties');
  if (unknown) {
    const where = unknown.instancePath === '' ? 'the file' : `accept[${unknown.instancePath.split('/')[2]}]`;
    return `${where}: unknown key "${String(unknown.params.additionalProperty)}"`;
  }
  if (entry) {
    const reason = errors.find((error) => error.keyword === 'required' && error.params.missingProperty === 'reason');
    if (reason) return `accept[${entry[1]}] has no "reason": say why it is accepted`;
    const first = errors.find((error) => error.instancePath.startsWith(`/accept/${entry[1]}/`));
    if (first) return `accept[${entry[1]}].${first.instancePath.split('/')[3]}: ${first.message ?? first.keyword}`;
    return `accept[${entry[1]}] must have either "finding" (with "level", "checks") or "check" (with "events"), and a "reason"`;
  }
  const first = errors[0];
  return first?.instancePath ? `${first.instancePath.slice(1)}: ${first.message ?? first.keyword}` : 'the file must be an object with an "accept" list';
}

/**
 * The entries of a baseline that accepts what the report failed on. The report was made with the previous baseline
 * (if any): its entries that are not stale are kept with their reasons; each finding with failed results they do
 * not accept is added (with its level and checks, and `reason`: default when and what), or, when an entry of that
 * finding is kept, that entry's level and checks grow to the finding's.
 */
export function baselineFromReport(report: ConformanceReport, reason?: string): BaselineEntry[] {
  const today = report.startedAt.slice(0, 10);
  const entries: BaselineEntry[] = (report.baseline?.entries ?? []).filter((entry) => entry.status !== 'stale').map(({ status: _status, results: _results, ...entry }) => entry);
  for (const finding of report.findings) {
    const unaccepted = report.checks.some((check) => check.status === 'fail' && check.finding === finding.id && check.accepted === undefined);
    if (!unaccepted) continue;
    const checks = finding.checks.map((check) => check.id);
    const kept = entries.find((entry) => entry.finding === finding.id);
    if (kept) {
      if (kept.level !== undefined && finding.level === 'MUST') kept.level = 'MUST';
      if (kept.checks) kept.checks = [...new Set([...kept.checks, ...checks])];
      continue;
    }
    entries.push({ finding: finding.id, level: finding.level, checks, reason: reason ?? `known since ${today}: ${finding.title}` });
  }
  return entries;
}

/** Writes a baseline file (its folder created if need be). */
export async function writeBaseline(file: string, entries: readonly BaselineEntry[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const document = {
    description: 'Failures accepted for now: `conformance --baseline FILE` fails only on what no entry accepts. Rewrite with `conformance baseline write FILE` (reasons kept); remove an entry once it is reported stale.',
    accept: entries,
  };
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`, 'utf8');
}
