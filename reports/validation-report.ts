/**
 * The report of `conformance validate`: captured deliveries checked against the specs. One plain object (the JSON
 * report, `validation.json`) and its console rendering: a table per event plus totals, then the problems found.
 * Everything that came from a capture (event names, field names, messages quoting values) is escaped before it
 * reaches the terminal.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tallyRow, type DeliveryVerdict, type EventTally, type SignatureStatus, type ValidationTally } from '../suites/delivery-validation.js';
import { colorsFor, printable } from './console.js';
import type { Output } from './output.js';

export const VALIDATION_REPORT_VERSION = 1;
export const VALIDATION_REPORT_FILE = 'validation.json';

export interface ValidationReport {
  tool: string;
  version: string;
  validationReportVersion: number;
  startedAt: string;
  durationMs: number;
  /** The specs the deliveries were checked against (system names). */
  systems: string[];
  files: string[];
  secret: boolean;
  /** `--strict`: undocumented fields failed deliveries too. */
  strict: boolean;
  verdict: 'pass' | 'fail';
  totals: {
    deliveries: number;
    valid: number;
    invalid: number;
    unknownEvent: number;
    notJson: number;
    withUndocumentedFields: number;
    signatures: Record<SignatureStatus, number>;
  };
  events: {
    event: string;
    system: string | null;
    deliveries: number;
    valid: number;
    invalid: number;
    /** `pointer message` (array indices as `*`) -> deliveries. */
    violations: Record<string, number>;
    undocumented: Record<string, number>;
    missingRequired: Record<string, number>;
    signatures: Record<SignatureStatus, number>;
    timestampAgeSeconds: { min: number; max: number } | null;
  }[];
  /** Every delivery that failed or carries undocumented fields, with all it found; valid ones without drift are only counted. */
  deliveries: DeliveryVerdict[];
}

export function buildValidationReport(input: {
  tool: string;
  version: string;
  startedAt: Date;
  durationMs: number;
  systems: string[];
  files: string[];
  secret: boolean;
  strict: boolean;
  tally: ValidationTally;
}): ValidationReport {
  const { tally } = input;
  const rows = tally.rows();
  const signatures: Record<SignatureStatus, number> = { valid: 0, invalid: 0, missing: 0, unchecked: 0 };
  for (const row of rows) for (const status of Object.keys(signatures) as SignatureStatus[]) signatures[status] += row.signatures[status];
  const listed = new Set<DeliveryVerdict>([...tally.failures, ...tally.drifting]);
  return {
    tool: input.tool,
    version: input.version,
    validationReportVersion: VALIDATION_REPORT_VERSION,
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    systems: input.systems,
    files: input.files,
    secret: input.secret,
    strict: input.strict,
    verdict: tally.valid === tally.total ? 'pass' : 'fail',
    totals: {
      deliveries: tally.total,
      valid: tally.valid,
      invalid: tally.failures.filter((verdict) => verdict.status === 'invalid').length,
      unknownEvent: tally.failures.filter((verdict) => verdict.status === 'unknown-event').length,
      notJson: tally.failures.filter((verdict) => verdict.status === 'not-json').length,
      withUndocumentedFields: tally.drifting.length,
      signatures,
    },
    events: rows.map((row) => ({
      event: row.event,
      system: row.system,
      deliveries: row.deliveries,
      valid: row.valid,
      invalid: row.invalid,
      violations: Object.fromEntries(row.violations),
      undocumented: Object.fromEntries(row.undocumented),
      missingRequired: Object.fromEntries(row.missingRequired),
      signatures: row.signatures,
      timestampAgeSeconds: row.timestampAge ?? null,
    })),
    deliveries: [...listed].sort((a, b) => compareSources(a.source, b.source)),
  };
}

export async function writeValidationReport(report: ValidationReport, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, VALIDATION_REPORT_FILE);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** Problems printed per event unless `all` (the JSON report has every one). */
const SHOWN_PER_EVENT = 3;

export function printValidationReport(output: Output, report: ValidationReport, tally: ValidationTally, options: { all: boolean; files: string[] }): void {
  const c = colorsFor(output);
  const out = (line = '') => output.stdout.write(`${line}\n`);
  const header = ['EVENT', 'SYSTEM', 'DELIVERIES', 'VALID', 'INVALID', 'UNDOCUMENTED', 'MISSING', 'SIGNATURES'];
  const rows = tally.rows().map((row) => [
    printable(row.event),
    printable(row.system ?? 'unknown'),
    String(row.deliveries),
    String(row.valid),
    String(row.invalid),
    String(row.undocumented.size),
    String(row.missingRequired.size),
    signatureCell(row),
  ]);
  const t = report.totals;
  const totalUndocumented = new Set(tally.rows().flatMap((row) => [...row.undocumented.keys()].map((key) => `${row.event} ${key}`))).size;
  const totalMissing = new Set(tally.rows().flatMap((row) => [...row.missingRequired.keys()].map((key) => `${row.event} ${key}`))).size;
  const totals = ['total', '', String(t.deliveries), String(t.valid), String(t.deliveries - t.valid), String(totalUndocumented), String(totalMissing), signatureText(t.signatures)];
  const widths = header.map((title, column) => Math.max(title.length, ...[...rows, totals].map((cells) => cells[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column >= 2 && column <= 6 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  out(line(header));
  for (const row of rows) out(line(row));
  out(widths.map((width) => '-'.repeat(width)).join('  '));
  out(line(totals));
  out('UNDOCUMENTED and MISSING count distinct fields (array items as *); SIGNATURES: verified with --secret (ok, bad), unsigned, or unchecked (no secret)');

  const problems = tally.rows().filter((row) => row.invalid > 0 || row.undocumented.size > 0);
  const failuresByRow = new Map<string, DeliveryVerdict[]>();
  for (const verdict of tally.failures) {
    const row = tallyRow(verdict);
    const list = failuresByRow.get(row);
    if (list) list.push(verdict);
    else failuresByRow.set(row, [verdict]);
  }
  for (const row of problems) {
    out();
    out(c.bold(`${printable(row.event)}${row.system ? ` (${printable(row.system)})` : ''}: ${row.invalid} of ${row.deliveries} not valid`));
    const failures = failuresByRow.get(row.event) ?? [];
    for (const verdict of options.all ? failures : failures.slice(0, SHOWN_PER_EVENT)) {
      for (const problem of describe(verdict)) out(`  ${c.red('✗')} ${printable(verdict.source)}: ${printable(problem)}`);
    }
    if (!options.all && failures.length > SHOWN_PER_EVENT) out(`  … ${failures.length - SHOWN_PER_EVENT} more (--all-failures prints them, --report json lists them)`);
    if (row.violations.size > 0) {
      out('  violations, by deliveries:');
      for (const [key, count] of [...row.violations].sort((a, b) => b[1] - a[1]).slice(0, options.all ? undefined : 10)) out(`    ${String(count).padStart(6)}  ${printable(key)}`);
    }
    if (row.undocumented.size > 0) {
      out('  undocumented fields (drift), by deliveries:');
      for (const [key, count] of [...row.undocumented].sort((a, b) => b[1] - a[1]).slice(0, options.all ? undefined : 10)) out(`    ${String(count).padStart(6)}  ${printable(key)}`);
    }
    if (row.missingRequired.size > 0) {
      out('  documented required fields missing, by deliveries:');
      for (const [key, count] of row.missingRequired) out(`    ${String(count).padStart(6)}  ${printable(key)}`);
    }
  }
  out();
  for (const file of options.files) out(`report: ${file}`);
  if (report.verdict === 'pass') {
    out(c.green(`PASS all ${t.deliveries} ${t.deliveries === 1 ? 'delivery validates' : 'deliveries validate'}${t.withUndocumentedFields > 0 ? ` (${t.withUndocumentedFields} with undocumented fields)` : ''}`));
  } else {
    const parts = [
      t.invalid > 0 ? `${t.invalid} invalid` : '',
      t.unknownEvent > 0 ? `${t.unknownEvent} of unknown events` : '',
      t.notJson > 0 ? `${t.notJson} not JSON` : '',
    ].filter(Boolean);
    out(c.red(`FAIL ${t.deliveries - t.valid} of ${t.deliveries} deliveries do not validate (${parts.join(', ')})`));
  }
}

/** The lines that say what is wrong with one delivery. */
function describe(verdict: DeliveryVerdict): string[] {
  const lines: string[] = [];
  if (verdict.reason) lines.push(verdict.reason);
  for (const problem of verdict.violations) {
    lines.push(problem.keyword === 'required' ? `${problem.path}: required field missing` : `${problem.path} ${problem.message}`);
  }
  for (const pointer of verdict.undocumented) lines.push(`${pointer}: undocumented field`);
  const signature = verdict.signature;
  if (signature && (signature.status === 'invalid' || signature.status === 'missing')) {
    lines.push(`signature ${signature.status === 'invalid' ? 'does not verify' : 'missing'}: ${signature.reason ?? ''}${signature.timestampAgeSeconds !== undefined ? ` (timestamp ${age(signature.timestampAgeSeconds)})` : ''}`);
  }
  return lines;
}

function age(seconds: number): string {
  return seconds >= 0 ? `${seconds} s old` : `${-seconds} s in the future`;
}

function signatureCell(row: EventTally): string {
  const text = signatureText(row.signatures);
  return row.timestampAge ? `${text}${text ? ' · ' : ''}age ${row.timestampAge.min}..${row.timestampAge.max} s` : text;
}

function signatureText(signatures: Record<SignatureStatus, number>): string {
  const parts: [number, string][] = [
    [signatures.valid, 'ok'],
    [signatures.invalid, 'bad'],
    [signatures.missing, 'unsigned'],
    [signatures.unchecked, 'unchecked'],
  ];
  return parts
    .filter(([count]) => count > 0)
    .map(([count, word]) => `${count} ${word}`)
    .join(', ');
}

/** `file:2` before `file:10` (one collator: `localeCompare` with options makes one per comparison). */
const SOURCE_ORDER = new Intl.Collator('en', { numeric: true });
function compareSources(a: string, b: string): number {
  return SOURCE_ORDER.compare(a, b);
}
