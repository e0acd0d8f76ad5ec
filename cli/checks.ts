/**
 * `conformance checks`: every check with its id, suite, level, title and rationale (the fuzzer's properties after the
 * webhook suites, the API contract checks last), what it needs, and the evidence rule.
 */
import { printableJson } from '../reports/console.js';
import { checkList } from '../suites/check-list.js';
import { EVIDENCE_RULE } from '../suites/evidence.js';
import type { Io } from './io.js';

export function printChecks(io: Io, json: boolean): void {
  const checks = checkList();
  if (json) {
    io.stdout.write(`${printableJson(checks, 2)}\n`);
    return;
  }
  const width = Math.max(...checks.map((check) => check.id.length));
  for (const check of checks) {
    const needs = [check.needsObserver ? 'needs --observe' : '', check.evidence ? 'needs evidence' : '', check.fuzz ? 'conformance fuzz' : ''].filter(Boolean);
    io.stdout.write(`${check.id.padEnd(width)}  ${check.level.padEnd(6)}  ${check.title}${needs.length > 0 ? ` (${needs.join('; ')})` : ''}\n`);
    io.stdout.write(`${' '.repeat(width)}  ${' '.repeat(6)}  why: ${check.rationale}\n`);
  }
  io.stdout.write(`\nEvidence rule: ${EVIDENCE_RULE}\n`);
}
