/**
 * `conformance checks`: every check a run or a fuzz can report (the main run's, the fuzz-only ones, the API
 * contract checks) is listed once with its level, title and rationale, in text and as JSON; the idempotency checks
 * in depth (fresh simultaneous copies, shared event_ts, abandoned attempts, late retries) among them.
 */
import { describe, expect, it } from 'vitest';
import { API_CHECKS } from '../suites/api/checks.js';
import { FUZZ_CHECKS } from '../suites/fuzz-cases.js';
import { ALL_CHECKS } from '../suites/index.js';
import { LATE_RETRY_CHECK } from '../suites/late-retries.js';
import { LIFECYCLE_CHECK } from '../suites/lifecycle-scenario.js';
import { runCli } from './support/run-cli.js';

const EVERY_CHECK = [...ALL_CHECKS, ...Object.values(FUZZ_CHECKS), LIFECYCLE_CHECK, LATE_RETRY_CHECK, ...API_CHECKS];

describe('conformance checks', () => {
  it('--json lists every check once, each with a level, a title and a one-sentence rationale', async () => {
    const result = await runCli(['checks', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { id: string; level: string; title: string; rationale: string; needsObserver: boolean }[];
    expect(rows.map((row) => row.id)).toEqual(EVERY_CHECK.map((check) => check.id));
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    for (const row of rows) {
      expect(['MUST', 'SHOULD'], row.id).toContain(row.level);
      expect(row.title.length, row.id).toBeGreaterThan(10);
      expect(row.rationale, row.id).toMatch(/^\S.{20,}[.)]$/);
    }
  });

  it('the text lists the idempotency checks in depth with their rationale and whether they need --observe', async () => {
    const result = await runCli(['checks']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    for (const id of [
      'idempotency.first-arrival-copies',
      'idempotency.first-arrival-applied-once',
      'idempotency.shared-timestamp',
      'idempotency.shared-timestamp-applied',
      'idempotency.abandoned-retry',
      'idempotency.abandoned-applied-once',
      'idempotency.late-retry',
      'idempotency.fuzz-late-retry',
    ]) {
      const at = lines.findIndex((line) => line.startsWith(`${id} `));
      expect(at, id).toBeGreaterThanOrEqual(0);
      expect(lines[at], id).toMatch(/ MUST /);
      expect(lines[at + 1], id).toMatch(/^\s+why: \S/);
    }
    expect(lines.find((line) => line.startsWith('idempotency.shared-timestamp-applied '))).toMatch(/\(needs --observe[;)]/);
    expect(lines.find((line) => line.startsWith('idempotency.shared-timestamp '))).not.toMatch(/needs --observe/);
  });
});
