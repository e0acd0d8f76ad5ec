/** `conformance checks`: every check with its id, suite, level, title and rationale (the API contract checks last). */
import { API_CHECKS } from '../suites/api/checks.js';
import { ALL_CHECKS as WEBHOOK_CHECKS } from '../suites/index.js';
import { printableJson } from '../reports/console.js';
import type { Io } from './io.js';

const ALL_CHECKS = [...WEBHOOK_CHECKS, ...API_CHECKS];

export function printChecks(io: Io, json: boolean): void {
  if (json) {
    const rows = ALL_CHECKS.map(({ id, suite, level, title, rationale, needsObserver }) => ({ id, suite, level, title, rationale, needsObserver: needsObserver === true }));
    io.stdout.write(`${printableJson(rows, 2)}\n`);
    return;
  }
  const width = Math.max(...ALL_CHECKS.map((check) => check.id.length));
  for (const check of ALL_CHECKS) {
    io.stdout.write(`${check.id.padEnd(width)}  ${check.level.padEnd(6)}  ${check.title}${check.needsObserver ? ' (needs --observe)' : ''}\n`);
    io.stdout.write(`${' '.repeat(width)}  ${' '.repeat(6)}  why: ${check.rationale}\n`);
  }
}
