/**
 * The main job end to end: `conformance --target URL` against the reference receivers, each a real process on a
 * loopback port. The compliant receiver passes every check (a full default run over all 169 events, in under 10
 * seconds) and has no finding; every faulty variant fails exactly the checks its planted defect explains, and
 * nothing else, and the diagnosis names exactly the finding of its defect.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../reports/report.js';
import { ALL_CHECKS } from '../suites/index.js';
import { startReceiver, type RunningReceiver } from './support/receivers.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const SEED = '11';
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-e2e-'));
const running: RunningReceiver[] = [];

afterAll(async () => {
  await Promise.all(running.map((receiver) => receiver.stop()));
  rmSync(OUT, { recursive: true, force: true });
});

/** Events from every system, including a whole meeting lifecycle (created ... recording.completed). */
const EVENTS = [
  'meeting.created',
  'meeting.started',
  'meeting.participant_joined',
  'meeting.participant_left',
  'meeting.ended',
  'recording.completed',
  'session.started',
  'session.user_joined',
  'meeting.rtms_started',
  'meeting.participant_qos',
].join(',');

const FORGERIES = [
  'signature.missing-signature',
  'signature.missing-timestamp',
  'signature.wrong-secret',
  'signature.tampered-body',
  'signature.changed-timestamp',
  'signature.version-prefix',
  'signature.empty-hex',
  'signature.truncated',
  'signature.other-body',
  'signature.stale-timestamp',
  'signature.future-timestamp',
];

interface Case {
  defect: string;
  /** Extra arguments (fewer suites where the defect makes every delivery slow, more examples for rare edges). */
  args?: string[];
  fails: string[];
  /** The findings the diagnosis names: the one of the defect (or each of the defects). */
  findings: string[];
}

const CASES: Case[] = [
  { defect: 'challenge-before-verify', fails: ['url-validation.unsigned-challenge', 'url-validation.wrongly-signed-challenge'], findings: ['signing-oracle'] },
  { defect: 'challenge-wrong-token', fails: ['url-validation.answers-challenge'], findings: ['wrong-challenge-answer'] },
  { defect: 'skips-verification', fails: ['url-validation.unsigned-challenge', 'url-validation.wrongly-signed-challenge', ...FORGERIES], findings: ['signature-not-verified'] },
  { defect: 'prefix-compare', fails: ['signature.empty-hex', 'signature.truncated'], findings: ['prefix-comparison'] },
  { defect: 'ignores-version', fails: ['signature.version-prefix'], findings: ['version-prefix-ignored'] },
  { defect: 'no-freshness', fails: ['signature.stale-timestamp', 'signature.future-timestamp'], findings: ['no-freshness-window'] },
  { defect: 'rejects-with-403', fails: ['signature.rejected-with-401'], findings: ['rejects-with-403'] },
  // Re-serialized JSON differs from the raw bytes in other encodings and in ids beyond 2^53 (hostile edges).
  { defect: 'reserializes-json', fails: ['signature.raw-body', 'robustness.edge-hostile'], findings: ['reserialized-body'] },
  {
    defect: 'slow-recording',
    // Every check that sends recording.completed within the deadline (the burst holds one too).
    // Below the defect's 3.5 s hold, with room for a loaded CI machine (1.5 s once failed under load).
    args: ['--deadline', '2500'],
    fails: [
      'acknowledgement.valid-delivery',
      'signature.raw-body',
      'idempotency.redelivery',
      'idempotency.concurrent-duplicates',
      'idempotency.first-arrival-copies',
      'idempotency.shared-timestamp',
      'idempotency.abandoned-retry',
      'robustness.edge-zoom',
      'robustness.edge-hostile',
      'robustness.schema-invalid',
      'robustness.lifecycle',
      'robustness.burst',
    ],
    findings: ['slow-event'],
  },
  { defect: 'rejects-unknown-event', fails: ['acknowledgement.unknown-event'], findings: ['unknown-events-rejected'] },
  { defect: 'validation-500', fails: ['robustness.schema-invalid'], findings: ['crashes-on-schema-violation'] },
  { defect: 'crashes-on-bad-json', fails: ['robustness.not-json'], findings: ['crashes-on-not-json'] },
  { defect: 'any-method', fails: ['robustness.wrong-method'], findings: ['other-methods-accepted'] },
  // Holds every request 150 ms: only the robustness suite, to keep the run short; within the bound of 8, only the burst sheds.
  { defect: 'sheds-load', args: ['--suite', 'robustness'], fails: ['robustness.burst'], findings: ['sheds-load'] },
  {
    defect: 'no-dedupe',
    fails: ['idempotency.applied-once', 'idempotency.first-arrival-applied-once', 'idempotency.abandoned-applied-once', 'idempotency.late-retry'],
    findings: ['applied-twice'],
  },
  { defect: 'applies-before-verify', fails: ['idempotency.rejected-never-applied'], findings: ['applies-before-verifying'] },
  {
    defect: 'rejects-duplicates',
    fails: ['idempotency.redelivery', 'idempotency.concurrent-duplicates', 'idempotency.first-arrival-copies', 'idempotency.abandoned-retry', 'robustness.lifecycle'],
    findings: ['duplicates-rejected'],
  },
  { defect: 'racy-dedupe', fails: ['idempotency.first-arrival-applied-once'], findings: ['racy-deduplication'] },
  { defect: 'dedupes-by-event-ts', fails: ['idempotency.shared-timestamp-applied'], findings: ['deduplicates-by-event-ts'] },
  { defect: 'applies-after-hangup', fails: ['idempotency.abandoned-applied-once'], findings: ['applied-after-hang-up'] },
  // Order-sensitive by nature: alone, so that no other check's deliveries reorder its view of a meeting.
  { defect: 'lifecycle-strict', args: ['--checks', 'robustness.lifecycle'], fails: ['robustness.lifecycle'], findings: ['out-of-order-rejected'] },
  // Emoji are rare among ten events' edges: more examples per event.
  { defect: 'crashes-on-emoji', args: ['--examples', '4'], fails: ['robustness.edge-zoom', 'robustness.edge-hostile'], findings: ['crashes-on-string.astral-emoji'] },
  { defect: 'crashes-on-big-ids', fails: ['robustness.edge-hostile'], findings: ['crashes-on-int64.above-safe'] },
  { defect: 'rejects-with-400', fails: ['signature.rejected-with-401'], findings: ['rejects-with-400'] },
  { defect: 'body-limit-100kb', fails: ['robustness.edge-hostile'], findings: ['body-size-limit'] },
  // Fails raw-body for another reason than re-serialization (a line break): not diagnosed as re-serialization.
  { defect: 'crashes-on-newlines', fails: ['signature.raw-body', 'robustness.edge-hostile'], findings: ['unexplained:signature.raw-body', 'unexplained:robustness.edge-hostile'] },
  {
    defect: 'wrong-secret',
    // Everything correctly signed is refused; what expects a refusal passes.
    fails: [
      'url-validation.answers-challenge',
      'acknowledgement.valid-delivery',
      'acknowledgement.unknown-event',
      'signature.raw-body',
      'idempotency.redelivery',
      'idempotency.concurrent-duplicates',
      'idempotency.first-arrival-copies',
      'idempotency.shared-timestamp',
      'idempotency.abandoned-retry',
      'robustness.edge-zoom',
      'robustness.edge-hostile',
      'robustness.burst',
      'robustness.lifecycle',
    ],
    findings: ['rejects-valid-signatures'],
  },
  {
    defect: 'reserializes-json,no-freshness,body-limit-100kb',
    fails: ['signature.raw-body', 'signature.stale-timestamp', 'signature.future-timestamp', 'robustness.edge-hostile'],
    findings: ['no-freshness-window', 'reserialized-body', 'body-size-limit'],
  },
];

async function run(
  defect: string | undefined,
  args: string[],
  name: string,
  seed = SEED,
): Promise<{ code: number; stdout: string; stderr: string; report: ConformanceReport }> {
  const receiver = await startReceiver({ secret: SECRET, ...(defect ? { defect } : {}) });
  running.push(receiver);
  try {
    const out = path.join(OUT, name);
    const result = await runMain(['--target', receiver.url, '--observe', receiver.observeUrl, '--seed', seed, '--report', 'json', '--out', out, ...args], {
      env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET },
    });
    const report = JSON.parse(readFileSync(path.join(out, 'conformance.json'), 'utf8')) as ConformanceReport;
    return { ...result, report };
  } finally {
    await receiver.stop();
  }
}

function failedIds(report: ConformanceReport): string[] {
  return [...new Set(report.checks.filter((check) => check.status === 'fail').map((check) => check.id))].sort();
}

describe('the compliant reference receiver', () => {
  it('passes every check of a full default run over all 169 events, in under 10 seconds', async () => {
    const { code, stdout, report } = await run(undefined, [], 'compliant');
    expect(failedIds(report)).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(stdout).not.toContain('Findings');
    expect(code).toBe(0);
    expect(report.config.events).toBe(169);
    // Every check ran and passed somewhere; a skip is only an event whose schema offers no edge Zoom sends.
    const passed = new Set(report.checks.filter((check) => check.status === 'pass').map((check) => check.id));
    expect([...passed].sort()).toEqual(ALL_CHECKS.map((check) => check.id).sort());
    for (const skip of report.checks.filter((check) => check.status === 'skip')) {
      expect([skip.id, skip.reason]).toEqual(['robustness.edge-zoom', "the event's schema offers no such edge"]);
    }
    expect(report.durationMs).toBeLessThan(10_000);
    expect(report.summary.deliveries).toBeGreaterThan(4000);
    expect(stdout).toMatch(/PASS no MUST failure/);
    expect(stdout).not.toContain(SECRET);
  });
});

describe.concurrent('each faulty reference receiver fails exactly the checks of its planted defect', () => {
  for (const { defect, args = [], fails, findings } of CASES) {
    it(defect, async () => {
      const { code, stdout, report } = await run(defect, ['--events', EVENTS, ...args], defect);
      expect(failedIds(report)).toEqual([...fails].sort());
      // The diagnosis names exactly the cause (each failed result explained by one finding), and the console shows it.
      expect(report.findings.map((finding) => finding.id).sort()).toEqual([...findings].sort());
      expect(report.findings.reduce((sum, finding) => sum + finding.results, 0)).toBe(report.summary.total.fail);
      for (const finding of report.findings) expect(stdout).toMatch(new RegExp(`^  (MUST  |SHOULD) ${finding.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `, 'm'));
      const mustFailed = report.checks.some((check) => check.status === 'fail' && check.level === 'MUST');
      expect(code).toBe(mustFailed ? 1 : 0);
      // Every failure names its event, reproduces with the seed and check id, and keeps its exchanges; the first
      // failures of each check (the report keeps those in full, reports/report.ts) show the request as curl.
      const failures = report.checks.filter((check) => check.status === 'fail');
      for (const failure of failures) {
        expect(failure.reproduce).toContain(`--seed ${SEED}`);
        expect(failure.reproduce).toContain(`--checks ${failure.id}`);
        expect(failure.exchanges.length).toBeGreaterThan(0);
        expect(stdout).toContain(failure.id);
      }
      for (const id of new Set(failures.map((failure) => failure.id))) {
        const first = failures.find((failure) => failure.id === id)!;
        expect(first.exchanges.some((exchange) => exchange.curl?.startsWith('curl ')), id).toBe(true);
      }
      expect(JSON.stringify(report)).not.toContain(SECRET);
      expect(stdout).not.toContain(SECRET);
      if (defect === 'slow-recording') {
        const events = new Set(report.checks.filter((check) => check.status === 'fail').map((check) => check.event));
        expect([...events].sort()).toEqual([null, 'lifecycle:meeting', 'recording.completed'].sort());
      }
    });
  }
});

// A memory that forgets after 1.2 s is a matter of time: alone, so that a loaded machine does not stretch the gaps
// between a delivery and its immediate retries past it (the late retry comes at least 2 s after its original).
describe('a receiver that forgets deliveries quickly', () => {
  it('forgets-quickly', async () => {
    const { code, report } = await run('forgets-quickly', ['--events', EVENTS], 'forgets-quickly');
    expect(failedIds(report)).toEqual(['idempotency.late-retry']);
    expect(report.findings.map((finding) => finding.id)).toEqual(['short-deduplication-memory']);
    expect(code).toBe(1);
    for (const failure of report.checks.filter((check) => check.status === 'fail')) expect(failure.reason).toMatch(/applied 2 times: a retry \d+\.\d s after the original was applied again/);
  });
});

// A check-then-act across an await is a race: the simultaneous fresh copies must hit its window on every seed, not on most.
describe.concurrent('the racy receiver is caught on every one of 20 seeds, by its check alone', () => {
  for (let seed = 1; seed <= 20; seed++) {
    it(`seed ${seed}`, async () => {
      const { report } = await run('racy-dedupe', ['--events', EVENTS], `racy-${seed}`, String(seed));
      expect(failedIds(report)).toEqual(['idempotency.first-arrival-applied-once']);
      expect(report.findings.map((finding) => finding.id)).toEqual(['racy-deduplication']);
    });
  }
});

describe('SHOULD failures and --strict', () => {
  it('a SHOULD-only defect exits 0, and 1 with --strict', async () => {
    const relaxed = await run('ignores-version', ['--events', 'meeting.started', '--suite', 'signature'], 'relaxed');
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toMatch(/FAIL SHOULD signature\.version-prefix/);
    const strict = await run('ignores-version', ['--events', 'meeting.started', '--suite', 'signature', '--strict'], 'strict');
    expect(strict.code).toBe(1);
  });
});

it('covers every check: each one is failed by at least one planted defect', () => {
  const covered = new Set([...CASES.flatMap((entry) => entry.fails), 'idempotency.late-retry']);
  expect(ALL_CHECKS.map((check) => check.id).filter((id) => !covered.has(id))).toEqual([]);
});
