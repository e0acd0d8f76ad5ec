/**
 * `conformance fuzz` against the reference receivers (real processes on loopback ports): against the compliant
 * receiver 2,000 random deliveries are clean; against each faulty variant whose defect random deliveries can
 * reach, fuzzing finds the defect within a bounded number of runs and shrinks it to a minimal case (asserted on
 * the saved replay file); `--path` runs exactly the shrunk case again; `conformance replay` re-sends a saved
 * failure byte for byte (still failing against the faulty receiver, passing against the compliant one).
 *
 * Defects only the main run can see (the URL-validation challenge, the v1= prefix, stale timestamps, 401 vs 403,
 * unknown event types, other methods) are out of the fuzzer's reach by design: fuzz sends deliveries.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../reports/report.js';
import type { ReplayFile } from '../suites/replay-file.js';
import { startReceiver, type RunningReceiver } from './support/receivers.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-fuzz-'));
const running: RunningReceiver[] = [];

afterAll(async () => {
  await Promise.all(running.map((receiver) => receiver.stop()));
  rmSync(OUT, { recursive: true, force: true });
});

/** Events from every system, with a whole meeting lifecycle, so every case class and scenario can occur. */
const EVENTS = 'meeting.created,meeting.started,meeting.participant_joined,meeting.participant_left,meeting.ended,recording.completed,session.started,session.user_joined,meeting.rtms_started,meeting.participant_qos';
/** Runs allowed to find a defect: a bound, far above what each needs with this seed. */
const RUN_BOUND = 3000;

interface Fuzzed {
  code: number;
  stdout: string;
  report: ConformanceReport;
  replays: ReplayFile[];
  replayFiles: string[];
  receiver: RunningReceiver;
}

async function fuzz(name: string, defect: string | undefined, args: string[] = []): Promise<Fuzzed> {
  const receiver = await startReceiver({ secret: SECRET, ...(defect ? { defect } : {}) });
  running.push(receiver);
  const dir = path.join(OUT, name);
  const replayDir = path.join(dir, 'failures');
  const result = await runMain(
    ['fuzz', '--target', receiver.url, '--observe', receiver.observeUrl, '--seed', '5', '--events', EVENTS, '--runs', String(RUN_BOUND), '--no-progress', '--report', 'json', '--out', dir, '--replay-dir', replayDir, ...args],
    { env: ENV },
  );
  const report = JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')) as ConformanceReport;
  const replayFiles = (() => {
    try {
      return readdirSync(replayDir).map((file) => path.join(replayDir, file));
    } catch {
      return [];
    }
  })();
  const replays = replayFiles.map((file) => JSON.parse(readFileSync(file, 'utf8')) as ReplayFile);
  expect(`${result.stdout}${result.stderr}${JSON.stringify(report)}${JSON.stringify(replays)}`).not.toContain(SECRET);
  return { ...result, report, replays, replayFiles, receiver };
}

/** The shrunk (MUST, or strict) failures: the ones with a fast-check path. */
function shrunk(fuzzed: Fuzzed): ReplayFile[] {
  return fuzzed.replays.filter((replay) => replay.fuzz.path !== '');
}

describe('against the compliant receiver', () => {
  it('2,000 random deliveries of every kind (lifecycles with the observer included) are clean', async () => {
    const { code, report, replays } = await fuzz('compliant', undefined, ['--runs', '2000']);
    expect(code).toBe(0);
    expect(report.checks.filter((check) => check.status === 'fail')).toEqual([]);
    expect(replays).toEqual([]);
    expect(report.summary.deliveries).toBeGreaterThanOrEqual(2000);
    // Every property ran: valid, both edge kinds, forgeries, broken bodies, lifecycle scenarios.
    expect(report.checks.map((check) => check.id).sort()).toEqual(
      [
        'acknowledgement.fuzz-valid',
        'idempotency.fuzz-late-retry',
        'idempotency.fuzz-lifecycle',
        'robustness.fuzz-edge-hostile',
        'robustness.fuzz-edge-zoom',
        'robustness.fuzz-invalid',
        'signature.fuzz-forgery',
      ].sort(),
    );
  });
});

interface DefectCase {
  defect: string;
  args?: string[];
  /** The check that finds it (several: whichever random case reaches it first). */
  check: string | string[];
  /** What the shrunk case must look like. */
  minimal: (replay: ReplayFile) => void;
  /** The finding the diagnosis names for it, where the fuzz run holds the evidence of one (else it is unexplained). */
  finding?: string;
}

const ONE_REQUEST = (replay: ReplayFile) => expect(replay.requests).toHaveLength(1);

const CASES: DefectCase[] = [
  {
    defect: 'skips-verification',
    // The follow-up of an accepted forgery sends every kind once: all accepted, so the cause is named.
    finding: 'signature-not-verified',
    check: 'signature.fuzz-forgery',
    // Every forgery is accepted: shrinking reaches the first kind, the missing signature.
    minimal: (replay) => {
      ONE_REQUEST(replay);
      expect(replay.requests[0]!.signature).toEqual({ kind: 'missing-signature' });
    },
  },
  {
    defect: 'prefix-compare',
    // Named whatever the other lanes sent before they stopped: the follow-up shows the short signatures accepted and
    // every wrong digest of full length refused.
    finding: 'prefix-comparison',
    check: 'signature.fuzz-forgery',
    // The first forgery kinds are rejected; the smallest accepted one is the empty digest.
    minimal: (replay) => {
      ONE_REQUEST(replay);
      expect(replay.requests[0]!.signature).toEqual({ kind: 'empty-digest' });
    },
  },
  {
    defect: 'applies-before-verify',
    finding: 'applies-before-verifying',
    check: 'signature.fuzz-forgery',
    minimal: (replay) => {
      ONE_REQUEST(replay);
      expect(replay.reason).toMatch(/was rejected with status 401 .* but applied 1 time/);
      expect(replay.requests[0]!.signature).toEqual({ kind: 'missing-signature' });
    },
  },
  {
    defect: 'crashes-on-emoji',
    finding: 'crashes-on-string.astral-emoji',
    check: 'robustness.fuzz-edge-zoom',
    // Shrunk to one edge: the emoji.
    minimal: (replay) => {
      ONE_REQUEST(replay);
      expect(replay.edges.map((edge) => edge.kind)).toEqual(['string.astral-emoji']);
      expect(/[\u{10000}-\u{10FFFF}]/u.test(replay.requests[0]!.body ?? '')).toBe(true);
    },
  },
  {
    defect: 'rejects-duplicates',
    finding: 'duplicates-rejected',
    check: 'idempotency.fuzz-lifecycle',
    // Shrunk to two copies of one delivery.
    minimal: (replay) => {
      expect(replay.requests).toHaveLength(2);
      expect(replay.requests[0]!.body).toBe(replay.requests[1]!.body);
    },
  },
  {
    defect: 'no-dedupe',
    finding: 'applied-twice',
    check: 'idempotency.fuzz-lifecycle',
    minimal: (replay) => {
      expect(replay.requests).toHaveLength(2);
      expect(replay.requests[0]!.body).toBe(replay.requests[1]!.body);
      expect(replay.reason).toMatch(/applied 2 times/);
    },
  },
  {
    defect: 'racy-dedupe',
    // The follow-up (a fresh delivery and its plain retry, applied once) tells the race from no deduplication.
    finding: 'racy-deduplication',
    check: 'idempotency.fuzz-lifecycle',
    // Shrunk to two copies of a fresh delivery released at the same instant.
    minimal: (replay) => {
      expect(replay.requests).toHaveLength(2);
      expect(replay.requests[0]!.body).toBe(replay.requests[1]!.body);
      expect(replay.requests[0]!.group).toBe(replay.requests[1]!.group);
      expect(replay.reason).toMatch(/applied 2 times/);
    },
  },
  {
    defect: 'dedupes-by-event-ts',
    finding: 'deduplicates-by-event-ts',
    check: 'idempotency.fuzz-lifecycle',
    // Shrunk to a step and its twin: two different bodies with one event and event_ts, one of them lost.
    minimal: (replay) => {
      expect(replay.requests).toHaveLength(2);
      const [first, second] = replay.requests.map((request) => JSON.parse(request.body!) as { event: string; event_ts: number });
      expect(replay.requests[0]!.body).not.toBe(replay.requests[1]!.body);
      expect([second!.event, second!.event_ts]).toEqual([first!.event, first!.event_ts]);
      expect(replay.reason).toMatch(/applied 1 time in all .* expected 2/);
      expect(replay.observe?.expected).toBe(2);
    },
  },
  {
    defect: 'lifecycle-strict',
    // Random deliveries about the run's meetings arrive out of order as much as lifecycle scenarios do; the shrunk
    // case is one delivery older than one applied before (the receiver's memory is part of the failure).
    check: ['acknowledgement.fuzz-valid', 'robustness.fuzz-edge-zoom', 'idempotency.fuzz-lifecycle'],
    minimal: (replay) => {
      expect(replay.requests.length).toBeLessThanOrEqual(2);
      expect(replay.reason).toMatch(/status 409/);
    },
  },
  {
    defect: 'slow-recording',
    finding: 'slow-event',
    args: ['--deadline', '800'],
    check: 'acknowledgement.fuzz-valid',
    minimal: (replay) => {
      ONE_REQUEST(replay);
      expect(replay.event).toBe('recording.completed');
      expect(replay.reason).toMatch(/no response within 800 ms/);
    },
  },
  // SHOULD-level defects are shrunk only with --strict.
  {
    defect: 'validation-500',
    finding: 'crashes-on-schema-violation',
    args: ['--strict'],
    check: 'robustness.fuzz-invalid',
    minimal: (replay) => {
      ONE_REQUEST(replay);
      expect(replay.edges).toHaveLength(1);
      expect(replay.edges[0]!.kind).toMatch(/^schema\./);
    },
  },
  {
    defect: 'crashes-on-bad-json',
    finding: 'crashes-on-not-json',
    args: ['--strict'],
    check: 'robustness.fuzz-invalid',
    minimal: (replay) => {
      ONE_REQUEST(replay);
      expect(replay.edges[0]!.kind).toMatch(/^json\./);
    },
  },
  {
    defect: 'crashes-on-big-ids',
    finding: 'crashes-on-int64.above-safe',
    args: ['--strict'],
    check: 'robustness.fuzz-edge-hostile',
    minimal: (replay) => {
      ONE_REQUEST(replay);
      expect(replay.edges.map((edge) => edge.kind).filter((kind) => kind.startsWith('int64.'))).toHaveLength(1);
    },
  },
];

describe.concurrent('fuzz finds each defect random deliveries can reach, and shrinks it', () => {
  for (const { defect, args = [], check, minimal, finding } of CASES) {
    it(defect, async () => {
      const fuzzed = await fuzz(defect, defect, args);
      expect(fuzzed.code).toBe(1);
      const checks = typeof check === 'string' ? [check] : check;
      const found = shrunk(fuzzed).filter((replay) => checks.includes(replay.check.id));
      expect(found.length, `${defect}: ${shrunk(fuzzed).map((replay) => replay.check.id).join(', ')}`).toBeGreaterThan(0);
      const replay = found[0]!;
      expect(replay.fuzz.numRuns).toBeLessThanOrEqual(RUN_BOUND);
      minimal(replay);
      // The report has the failure, with the line that runs exactly this case again.
      // (Its own result: a follow-up of the failure can be a failed result of the same check.)
      const replayFile = path.basename(fuzzed.replayFiles[fuzzed.replays.indexOf(replay)]!);
      const failure = fuzzed.report.checks.find((entry) => entry.status === 'fail' && entry.id === replay.check.id && entry.reason?.includes(replayFile))!;
      expect(failure.reproduce).toMatch(/^npx conformance fuzz --target \S+ --seed 5 --events \S+ --observe \S+ .*--path \d+\.\d+:[\d:]*$/);
      // The same rules diagnose it: named where the run holds the evidence of a cause, unexplained otherwise.
      expect(failure.finding).toBe(finding ?? `unexplained:${failure.id}`);
      expect(fuzzed.stdout).toMatch(new RegExp(`^  (MUST  |SHOULD) ${failure.finding!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `, 'm'));
    });
  }
});

describe('follow-ups gather the evidence of a cause, whatever the lanes sent before they stopped', () => {
  const followUps = (fuzzed: Fuzzed, id: string) => fuzzed.report.checks.filter((check) => check.id === id && /^follow-up of the failure/.test(check.reason ?? ''));

  it('one lane, a slow event: two fresh deliveries of it time out, two other events are acknowledged, and slow-event is named', async () => {
    const fuzzed = await fuzz('slow-one-lane', 'slow-recording', ['--deadline', '800', '--concurrency', '1']);
    expect(fuzzed.code).toBe(1);
    const [failed, passed] = followUps(fuzzed, 'acknowledgement.fuzz-valid');
    expect(failed?.status).toBe('fail');
    expect(failed!.reason).toMatch(/two of recording\.completed, one each of \S+ and \S+: 2 not acknowledged \(recording\.completed: no response within 800 ms; recording\.completed: no response within 800 ms\)/);
    expect(failed!.exchanges).toHaveLength(2);
    expect(passed?.status).toBe('pass');
    expect(passed!.exchanges.map((exchange) => exchange.response?.status)).toEqual([200, 200]);
    expect(fuzzed.report.findings.map((finding) => finding.id)).toEqual(['slow-event']);
  });

  it('one lane, a receiver with another secret: a forgery and fresh deliveries of three events are refused alike, and the wrong secret is named', async () => {
    const fuzzed = await fuzz('wrong-secret-one-lane', 'wrong-secret', ['--concurrency', '1']);
    expect(fuzzed.code).toBe(1);
    const [forgery] = followUps(fuzzed, 'signature.fuzz-forgery');
    expect(forgery?.status).toBe('pass');
    expect(forgery!.reason).toMatch(/: 1 not accepted \(wrong secret: status 401 after \d+ ms\)$/);
    const [refused] = followUps(fuzzed, 'acknowledgement.fuzz-valid');
    expect(refused!.status).toBe('fail');
    expect(refused!.exchanges.map((exchange) => exchange.response?.status)).toEqual([401, 401, 401, 401]);
    expect(fuzzed.report.findings.map((finding) => finding.id)).toEqual(['rejects-valid-signatures']);
  });

  it('an accepted forgery: one of each kind, the short ones accepted and the others refused, so prefix-comparison is named', async () => {
    const fuzzed = await fuzz('prefix-one-lane', 'prefix-compare', ['--concurrency', '1']);
    expect(fuzzed.code).toBe(1);
    const [failed, passed] = followUps(fuzzed, 'signature.fuzz-forgery');
    expect(failed!.reason).toMatch(/9 kinds .*: 2 accepted \(empty digest; signature truncated to 32 hex digits\)$/);
    expect(passed!.reason).toMatch(/: 7 not accepted \(missing signature; missing timestamp; wrong secret; changed timestamp; hex digit 32 of the signature changed; the signature of another body; one byte of the body changed after signing\)$/);
    expect(fuzzed.report.findings.map((finding) => finding.id)).toEqual(['prefix-comparison']);
  });
});

describe('late retries', () => {
  it('forgets-quickly: a delivery retried --retry-after later is applied again, a MUST failure saved unshrunk with both requests', async () => {
    // Events of no lifecycle: no scenario repeats a delivery, so only a late retry can meet the short memory.
    const fuzzed = await fuzz('forgets-quickly', 'forgets-quickly', ['--events', 'meeting.participant_qos,session.user_joined', '--runs', '100000', '--duration', '6s', '--retry-after', '1500ms']);
    expect(fuzzed.code).toBe(1);
    const late = fuzzed.replays.filter((replay) => replay.check.id === 'idempotency.fuzz-late-retry');
    expect(late.length, fuzzed.stdout).toBeGreaterThan(0);
    const replay = late[0]!;
    expect(replay.check.level).toBe('MUST');
    expect(replay.reason).toMatch(/applied 2 times: retried \d+\.\d s after it was first acknowledged/);
    expect(replay.requests).toHaveLength(2);
    expect(replay.requests[0]!.body).toBe(replay.requests[1]!.body);
    expect(replay.observe?.expected).toBe(1);
    const failure = fuzzed.report.checks.find((entry) => entry.status === 'fail' && entry.id === 'idempotency.fuzz-late-retry')!;
    expect(failure.reason).toMatch(/not shrunk: time-dependent/);
    expect(fuzzed.report.config.retryAfterMs).toBe(1500);
  });
});

describe('SHOULD-level findings without --strict', () => {
  it('are recorded unshrunk with a replay file, and the run still exits 0', async () => {
    const fuzzed = await fuzz('big-ids-relaxed', 'crashes-on-big-ids', ['--runs', '1500']);
    expect(fuzzed.code).toBe(0);
    const findings = fuzzed.report.checks.filter((check) => check.status === 'fail');
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.level).toBe('SHOULD');
      expect(finding.reason).toMatch(/not shrunk: SHOULD level/);
    }
    expect(fuzzed.replays.length).toBe(findings.length);
  });
});

describe('replaying a saved failure', () => {
  it('--path runs the shrunk case again; replay re-sends it: still failing on the faulty receiver, passing on the compliant one', async () => {
    const fuzzed = await fuzz('replay-source', 'skips-verification');
    const replay = shrunk(fuzzed)[0]!;
    const file = fuzzed.replayFiles[fuzzed.replays.indexOf(replay)]!;

    const again = await runMain(['fuzz', '--target', fuzzed.receiver.url, '--seed', '5', '--events', EVENTS, '--path', replay.fuzz.path, '--no-progress'], { env: ENV });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^1 random cases? /m);
    expect(again.stdout).toContain('a forgery (missing signature) was accepted');

    const stillFails = await runMain(['replay', file, '--target', fuzzed.receiver.url], { env: ENV });
    expect(stillFails.code).toBe(1);
    expect(stillFails.stdout).toMatch(/still fails/);

    const compliant = await startReceiver({ secret: SECRET });
    running.push(compliant);
    const passes = await runMain(['replay', file, '--target', compliant.url], { env: ENV });
    expect(passes.code).toBe(0);
    expect(passes.stdout).toMatch(/PASS the saved failure no longer fails/);
    // The recorded headers as they were (no signature at all here): refused just the same.
    const kept = await runMain(['replay', file, '--target', compliant.url, '--keep-timestamp'], { env: ENV });
    expect(kept.code).toBe(0);
    expect(`${stillFails.stdout}${passes.stdout}${kept.stdout}`).not.toContain(SECRET);
  });

  it('a file that is not a replay file is one line, exit 2', async () => {
    const result = await runMain(['replay', path.join(OUT, 'nothing.json')], { env: ENV });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/cannot read it \(ENOENT\)/);
  });
});
