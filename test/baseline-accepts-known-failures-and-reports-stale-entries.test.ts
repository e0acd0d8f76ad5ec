/**
 * Baselines: `conformance baseline write FILE` records the run's findings (level, checks, a reason each); a run with
 * `--baseline FILE` then fails only on what the file does not accept (with --strict too), shows what it accepted on
 * the console and in the JSON, JUnit and GitHub reports, reports entries that accept nothing any more as stale (and
 * `baseline write` drops them, keeping the reasons written by hand), leaves entries whose checks did not run alone,
 * accepts a check on some events only, and does not let a SHOULD entry accept MUST failures. A baseline file that
 * does not hold is one line, exit 2.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BaselineEntry } from '../reports/baseline.js';
import { readReport } from './support/report-files.js';
import { startReceiver, type RunningReceiver } from './support/receivers.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
const DIR = mkdtempSync(path.join(os.tmpdir(), 'conformance-baseline-'));
const EVENTS = 'meeting.started,meeting.ended';
const receivers: RunningReceiver[] = [];

afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.stop()));
  rmSync(DIR, { recursive: true, force: true });
});

async function receiver(defect: string): Promise<string> {
  const started = await startReceiver({ secret: SECRET, defect });
  receivers.push(started);
  return started.url;
}

function run(args: string[]) {
  return runMain([...args, '--events', EVENTS, '--seed', '7', '--no-progress'], { env: ENV, cwd: DIR });
}

function readEntries(file: string): BaselineEntry[] {
  return (JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as { accept: BaselineEntry[] }).accept;
}

describe('a baseline', () => {
  it('is written from the findings, then accepts them: the run passes (with --strict too) and every report says what was accepted', async () => {
    const url = await receiver('reserializes-json,no-freshness');
    const written = await run(['baseline', 'write', 'baseline.json', '--target', url]);
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/^baseline: wrote baseline\.json: 2 entries$/m);
    const entries = readEntries('baseline.json');
    expect(entries.map((entry) => entry.finding).sort()).toEqual(['no-freshness-window', 'reserialized-body']);
    for (const entry of entries) {
      expect(entry.level).toBe('SHOULD');
      expect(entry.checks!.length).toBeGreaterThan(0);
      expect(entry.reason).toMatch(/^known since \d{4}-\d\d-\d\d: /);
    }

    const strictWithout = await run(['--target', url, '--strict']);
    expect(strictWithout.code).toBe(1);
    const accepted = await run(['--target', url, '--strict', '--baseline', 'baseline.json', '--report', 'json,junit,github', '--out', 'accepted']);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).not.toMatch(/^FAIL /m);
    expect(accepted.stdout).toMatch(/^Baseline baseline\.json: \d+ failures accepted by 2 of 2 entries$/m);
    expect(accepted.stdout).toMatch(/^ {2}ACCEPTED SHOULD signature\.raw-body \(2: meeting\.ended, meeting\.started\): known since .*re-serialized JSON/m);
    expect(accepted.stdout).toMatch(/reserialized-body .* · accepted by the baseline$/m);
    expect(accepted.stdout).toMatch(/^PASS no new MUST failure and no new SHOULD failure \(.*; 0 MUST and \d+ SHOULD failures accepted by the baseline\)$/m);

    const report = readReport(path.join(DIR, 'accepted'));
    expect(report.summary.verdict).toBe('pass');
    const failed = report.checks.filter((check) => check.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((check) => check.accepted !== undefined && check.accepted.reason === entries[check.accepted.entry]!.reason)).toBe(true);
    expect(report.summary.accepted).toEqual({ MUST: 0, SHOULD: failed.length });
    expect(report.baseline).toMatchObject({ file: 'baseline.json', accepted: failed.length, stale: 0 });
    expect(report.baseline!.entries.map((entry) => entry.status)).toEqual(['accepted', 'accepted']);
    const junit = readFileSync(path.join(DIR, 'accepted', 'conformance.junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites [^>]*failures="0"/);
    expect(junit).toContain('<skipped message="accepted by the baseline (known since');
    expect(junit).toContain('<property name="baseline" value="baseline.json"/>');
    const summary = readFileSync(path.join(DIR, 'accepted', 'github-summary.md'), 'utf8');
    expect(summary).toMatch(/^## ✅ PASS/);
    expect(summary).toContain('### Accepted by the baseline baseline.json');
    expect(summary).not.toContain('### Failures');
  });

  it('fails on what it does not accept, and shows new failures apart from accepted ones', async () => {
    const url = await receiver('reserializes-json,no-freshness,rejects-with-400');
    const result = await run(['--target', url, '--strict', '--baseline', 'baseline.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL SHOULD signature\.rejected-with-401 \(2 failures\)/m);
    expect(result.stdout).toMatch(/^ {2}ACCEPTED SHOULD signature\.raw-body/m);
    expect(result.stdout).toMatch(/^FAIL 0 new MUST failures, \d+ new SHOULD failures \(strict\) \(0 MUST and \d+ SHOULD failures accepted by the baseline\)$/m);
    // Without --strict, new SHOULD failures do not fail the run (as without a baseline).
    expect((await run(['--target', url, '--baseline', 'baseline.json'])).code).toBe(0);
  });

  it('reports entries that accept nothing any more as stale, leaves those whose checks did not run alone, and baseline write drops the stale ones, keeping hand-written reasons', async () => {
    const url = await receiver('no-freshness');
    const entries = readEntries('baseline.json');
    const edited = entries.map((entry) => (entry.finding === 'no-freshness-window' ? { ...entry, reason: 'JIRA-42: the gateway strips the timestamp' } : entry));
    writeFileSync(path.join(DIR, 'baseline.json'), JSON.stringify({ accept: edited }));

    const result = await run(['--target', url, '--strict', '--baseline', 'baseline.json', '--report', 'json', '--out', 'stale']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}STALE finding reserialized-body: accepts nothing any more/m);
    expect(result.stdout).toMatch(/ACCEPTED SHOULD signature\.stale-timestamp .*: JIRA-42: the gateway strips the timestamp$/m);
    const report = readReport(path.join(DIR, 'stale'));
    expect(report.baseline!.stale).toBe(1);
    expect(Object.fromEntries(report.baseline!.entries.map((entry) => [entry.finding, entry.status]))).toEqual({ 'no-freshness-window': 'accepted', 'reserialized-body': 'stale' });

    // A run of other checks cannot tell: the entries are unused, not stale. Of the freshness window, a run of one of
    // its two checks names a narrower cause; its entry says so.
    const other = await run(['--target', url, '--checks', 'signature.stale-timestamp', '--baseline', 'baseline.json', '--report', 'json', '--out', 'unused']);
    expect(other.code).toBe(0);
    expect(other.stdout).not.toContain('STALE');
    expect(other.stdout).toMatch(/^ {2}UNUSED finding no-freshness-window: accepted nothing; its checks failed under stale-timestamps-accepted \(accept that, or its checks by id\)$/m);
    expect(readReport(path.join(DIR, 'unused')).baseline!.entries.map((entry) => entry.status)).toEqual(['unused', 'unused']);

    const rewritten = await run(['baseline', 'write', 'baseline.json', '--target', url]);
    expect(rewritten.code).toBe(0);
    expect(rewritten.stdout).toMatch(/^baseline: wrote baseline\.json: 1 entry \(1 kept, 0 new, 1 stale dropped\)$/m);
    expect(rewritten.stdout).toMatch(/^ {2}dropped stale finding reserialized-body$/m);
    expect(readEntries('baseline.json')).toEqual([expect.objectContaining({ finding: 'no-freshness-window', reason: 'JIRA-42: the gateway strips the timestamp' })]);
  });

  it('accepts a check on the events it names only', async () => {
    const url = await receiver('reserializes-json');
    writeFileSync(
      path.join(DIR, 'by-check.json'),
      JSON.stringify({ accept: [{ check: 'signature.raw-body', events: ['meeting.start*'], reason: 'only this one for now' }, { check: 'robustness.edge-hostile', reason: 'hostile input, later' }] }),
    );
    const result = await run(['--target', url, '--strict', '--baseline', 'by-check.json', '--report', 'json', '--out', 'by-check']);
    expect(result.code).toBe(1);
    const report = readReport(path.join(DIR, 'by-check'));
    const rawBody = report.checks.filter((check) => check.id === 'signature.raw-body' && check.status === 'fail');
    expect(rawBody.map((check) => [check.event, check.accepted?.reason])).toEqual([
      ['meeting.ended', undefined],
      ['meeting.started', 'only this one for now'],
    ]);
    expect(report.checks.filter((check) => check.id === 'robustness.edge-hostile' && check.status === 'fail').every((check) => check.accepted?.entry === 1)).toBe(true);
  });

  it('does not let an entry recorded at SHOULD accept MUST failures of the same finding', async () => {
    const url = await receiver('prefix-compare');
    const entry = { finding: 'prefix-comparison', reason: 'legacy comparison, being replaced' };
    writeFileSync(path.join(DIR, 'should.json'), JSON.stringify({ accept: [{ ...entry, level: 'SHOULD' }] }));
    writeFileSync(path.join(DIR, 'must.json'), JSON.stringify({ accept: [{ ...entry, level: 'MUST' }] }));
    const should = await run(['--target', url, '--baseline', 'should.json']);
    expect(should.code).toBe(1);
    expect(should.stdout).toMatch(/^FAIL MUST {3}signature\./m);
    const must = await run(['--target', url, '--baseline', 'must.json']);
    expect(must.code).toBe(0);
    expect(must.stdout).toMatch(/^PASS no new MUST failure \(.*; \d+ MUST and 0 SHOULD failures accepted by the baseline\)$/m);
  });

  it('is applied by merge to the whole run of shards run with it, and refused when the shards ran with different ones', async () => {
    const url = await receiver('reserializes-json');
    writeFileSync(path.join(DIR, 'merge.json'), JSON.stringify({ accept: [{ finding: 'reserialized-body', reason: 'known' }, { check: 'signature.wrong-secret', reason: 'never fails here' }] }));
    for (const shard of ['1/2', '2/2']) {
      const result = await run(['--target', url, '--strict', '--baseline', 'merge.json', '--shard', shard, '--report', 'json', '--out', `shard-${shard[0]}`]);
      expect(result.code).toBe(0);
    }
    const merged = await runMain(['merge', 'shard-1', 'shard-2', '--out', 'merged'], { env: ENV, cwd: DIR });
    expect(merged.code).toBe(0);
    const report = readReport(path.join(DIR, 'merged'));
    const failed = report.checks.filter((check) => check.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((check) => check.accepted?.entry === 0)).toBe(true);
    expect(report.baseline).toMatchObject({ accepted: failed.length, stale: 1 });
    expect(report.baseline!.entries.map((entry) => entry.status)).toEqual(['accepted', 'stale']);

    writeFileSync(path.join(DIR, 'merge-other.json'), JSON.stringify({ accept: [{ finding: 'reserialized-body', reason: 'another reason' }] }));
    await run(['--target', url, '--strict', '--baseline', 'merge-other.json', '--shard', '2/2', '--report', 'json', '--out', 'shard-other']);
    const refused = await runMain(['merge', 'shard-1', 'shard-other', '--out', 'merged-other'], { env: ENV, cwd: DIR });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('conformance: merge: shard-other/conformance.json is not from the same run as shard-1/conformance.json: another baseline\n');
  });

  it('that does not hold is one line and exit 2, before anything is sent', async () => {
    const cases: [string, string | undefined, RegExp][] = [
      ['missing.json', undefined, /^conformance: baseline missing\.json: cannot read it \(write one with: conformance baseline write missing\.json\)\n$/],
      ['not-json.json', '{ accept: ', /^conformance: baseline not-json\.json: not JSON \(/],
      ['no-reason.json', JSON.stringify({ accept: [{ finding: 'x' }] }), /^conformance: baseline no-reason\.json: accept\[0\] has no "reason": say why it is accepted\n$/],
      ['both.json', JSON.stringify({ accept: [{ finding: 'x', check: 'y', reason: 'r' }] }), /^conformance: baseline both\.json: accept\[0\] must have either "finding" .* or "check" .*, and a "reason"\n$/],
      ['typo.json', JSON.stringify({ accept: [{ findng: 'x', reason: 'r' }] }), /^conformance: baseline typo\.json: accept\[0\]: unknown key "findng"\n$/],
      ['list.json', JSON.stringify([]), /^conformance: baseline list\.json: /],
    ];
    for (const [file, text, message] of cases) {
      if (text !== undefined) writeFileSync(path.join(DIR, file), text);
      const result = await run(['--target', 'http://127.0.0.1:9/zoom/webhook', '--baseline', file]);
      expect(result.code, file).toBe(2);
      expect(result.stderr, file).toMatch(message);
      expect(result.stdout, file).toBe('');
    }
    const shard = await run(['baseline', 'write', 'b.json', '--target', 'http://127.0.0.1:9/zoom/webhook', '--shard', '1/2']);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toBe('conformance: baseline write needs the whole run: give no --shard\n');
  });
});
