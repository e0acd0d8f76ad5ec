/**
 * `conformance checks`: every check with its id, suite, level, title and rationale (the fuzzer's properties after the
 * webhook suites, the API contract checks last), what it needs, and the evidence rule.
 */
import { printableJson } from '../reports/console.js';
import { API_CHECKS } from '../suites/api/checks.js';
import { EVIDENCE_RULE } from '../suites/evidence.js';
import { FUZZ_CHECKS } from '../suites/fuzz-cases.js';
import { ALL_CHECKS as WEBHOOK_CHECKS } from '../suites/index.js';
import { LATE_RETRY_CHECK } from '../suites/late-retries.js';
import { LIFECYCLE_CHECK } from '../suites/lifecycle-scenario.js';
import type { Io } from './io.js';

const FUZZ = [...new Set([...Object.values(FUZZ_CHECKS), LIFECYCLE_CHECK, LATE_RETRY_CHECK])];
const ALL_CHECKS = [...WEBHOOK_CHECKS, ...FUZZ, ...API_CHECKS];

export function printChecks(io: Io, json: boolean): void {
  if (json) {
    const rows = ALL_CHECKS.map(({ id, suite, level, title, rationale, needsObserver, evidence }) => ({
      id,
      suite,
      level,
      title,
      rationale,
      needsObserver: needsObserver === true,
      evidence: evidence ?? null,
      fuzz: FUZZ.some((check) => check.id === id),
    }));
    io.stdout.write(`${printableJson(rows, 2)}\n`);
    return;
  }
  const width = Math.max(...ALL_CHECKS.map((check) => check.id.length));
  for (const check of ALL_CHECKS) {
    const needs = [check.needsObserver ? 'needs --observe' : '', check.evidence ? 'needs evidence' : '', FUZZ.includes(check) ? 'conformance fuzz' : ''].filter(Boolean);
    io.stdout.write(`${check.id.padEnd(width)}  ${check.level.padEnd(6)}  ${check.title}${needs.length > 0 ? ` (${needs.join('; ')})` : ''}\n`);
    io.stdout.write(`${' '.repeat(width)}  ${' '.repeat(6)}  why: ${check.rationale}\n`);
  }
  io.stdout.write(`\nEvidence rule: ${EVIDENCE_RULE}\n`);
}
