/**
 * `conformance checks`: every check with its id, suite, level, title and rationale: the main run's, then those only
 * `fuzz` runs, then the API contract checks.
 */
import { API_CHECKS } from '../suites/api/checks.js';
import { FUZZ_CHECKS } from '../suites/fuzz-cases.js';
import { ALL_CHECKS as WEBHOOK_CHECKS } from '../suites/index.js';
import { LATE_RETRY_CHECK } from '../suites/late-retries.js';
import { LIFECYCLE_CHECK } from '../suites/lifecycle-scenario.js';
import type { Io } from './io.js';

const ALL_CHECKS = [...WEBHOOK_CHECKS, ...Object.values(FUZZ_CHECKS), LIFECYCLE_CHECK, LATE_RETRY_CHECK, ...API_CHECKS];

export function printChecks(io: Io, json: boolean): void {
  if (json) {
    const rows = ALL_CHECKS.map(({ id, suite, level, title, rationale, needsObserver }) => ({ id, suite, level, title, rationale, needsObserver: needsObserver === true }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const width = Math.max(...ALL_CHECKS.map((check) => check.id.length));
  for (const check of ALL_CHECKS) {
    io.stdout.write(`${check.id.padEnd(width)}  ${check.level.padEnd(6)}  ${check.title}${check.needsObserver ? ' (needs --observe)' : ''}\n`);
    io.stdout.write(`${' '.repeat(width)}  ${' '.repeat(6)}  why: ${check.rationale}\n`);
  }
}
