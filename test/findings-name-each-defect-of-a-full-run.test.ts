/**
 * The diagnosis of full default runs (every suite, all 169 events, with the observer) against reference receivers
 * with the defects real receivers have (each defect alone, on ten events, is in suites-catch-each-planted-defect):
 * re-serialization yields one finding for raw-body and the hostile edges it fails indirectly; a receiver with three
 * defects yields exactly those three, with the parameters the evidence brackets, and no failure left unexplained;
 * a receiver that fails raw-body for another reason (a 500 to line breaks) is not diagnosed as re-serializing. The
 * console prints the findings, one line each, before the details; the README's example is that output, for real.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../reports/report.js';
import { REPO_ROOT } from './support/paths.js';
import { startReceiver, type RunningReceiver } from './support/receivers.js';
import { readReport } from './support/report-files.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-findings-'));
const running: RunningReceiver[] = [];

afterAll(async () => {
  await Promise.all(running.map((receiver) => receiver.stop()));
  rmSync(OUT, { recursive: true, force: true });
});

async function fullRun(defect: string): Promise<{ code: number; stdout: string; report: ConformanceReport }> {
  const receiver = await startReceiver({ secret: SECRET, defect });
  running.push(receiver);
  try {
    const out = path.join(OUT, defect.replace(/,/g, '+'));
    const result = await runMain(['--target', receiver.url, '--observe', receiver.observeUrl, '--seed', '21', '--report', 'json', '--out', out, '--no-progress'], {
      env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET },
    });
    return { code: result.code, stdout: result.stdout, report: readReport(out) };
  } finally {
    await receiver.stop();
  }
}

function ids(report: ConformanceReport): string[] {
  return report.findings.map((finding) => finding.id);
}

/** Every failed result names a finding of the report, and the findings' counts add up to the failures. */
function expectEveryFailureExplained(report: ConformanceReport): void {
  const known = new Set(ids(report));
  const failed = report.checks.filter((check) => check.status === 'fail');
  for (const check of failed) expect(known.has(check.finding!), `${check.id} ${check.event}: ${check.finding}`).toBe(true);
  expect(report.findings.reduce((sum, finding) => sum + finding.results, 0)).toBe(failed.length);
  for (const finding of report.findings) {
    expect(failed.filter((check) => check.finding === finding.id)).toHaveLength(finding.results);
    expect(finding.checks.reduce((sum, check) => sum + check.results, 0)).toBe(finding.results);
  }
}

function checksOf(report: ConformanceReport, id: string): string[] {
  return report.findings.find((finding) => finding.id === id)!.checks.map((check) => check.id);
}

/** A full run takes a few seconds alone, much longer on a loaded machine. */
const FULL_RUN_MS = 150_000;

describe('a full default run names the cause of each defect real receivers have', () => {
  it('re-serialized JSON: one finding explains raw-body and the hostile edges (other encodings, ids beyond 2^53)', async () => {
    const { code, report } = await fullRun('reserializes-json');
    expect(code).toBe(0);
    expect(ids(report)).toEqual(['reserialized-body']);
    expect(checksOf(report, 'reserialized-body')).toEqual(['signature.raw-body', 'robustness.edge-hostile']);
    expectEveryFailureExplained(report);
    // Hundreds of failures, one cause.
    expect(report.summary.total.fail).toBeGreaterThan(250);
  }, FULL_RUN_MS);

  it('three defects at once (re-serialization, no freshness window, a 100 KB body limit): exactly those three findings, each with its parameter, printed before the details', async () => {
    const { code, stdout, report } = await fullRun('reserializes-json,no-freshness,body-limit-100kb');
    expect(code).toBe(0);
    expect(ids(report).sort()).toEqual(['body-size-limit', 'no-freshness-window', 'reserialized-body']);
    expectEveryFailureExplained(report);
    expect(report.summary.total.fail).toBeGreaterThan(500);
    // The age of timestamps still accepted: at least 10 minutes (and 1 hour ahead), nothing older was tried.
    const freshness = report.findings.find((finding) => finding.id === 'no-freshness-window')!.evidence.parameter!;
    expect(freshness).toMatchObject({ unit: 'seconds', atLeast: 600 });
    expect(freshness.value).toMatch(/at least 600 s old, and at least 3600 s ahead/);
    // The body limit lies between the largest body accepted and the smallest refused.
    const limit = report.findings.find((finding) => finding.id === 'body-size-limit')!.evidence.parameter!;
    expect(limit.unit).toBe('bytes');
    expect(limit.atLeast).toBeLessThanOrEqual(100 * 1024);
    expect(limit.atMost).toBeGreaterThanOrEqual(100 * 1024);
    // The console: a Findings block, one line per finding, before the first failure's details.
    const block = stdout.indexOf('Findings: 3 causes behind');
    expect(block).toBeGreaterThan(0);
    expect(block).toBeLessThan(stdout.indexOf('FAIL SHOULD'));
    for (const finding of report.findings) {
      const line = stdout.split('\n').find((text) => text.startsWith(`  SHOULD ${finding.id} `))!;
      expect(line).toContain(finding.title);
      expect(line).toContain(`${finding.results} results`);
      if (finding.evidence.parameter) expect(line).toContain(finding.evidence.parameter.value);
    }
  }, FULL_RUN_MS);

  it('raw-body failing for another reason (500 to line breaks) is not diagnosed as re-serialization', async () => {
    const { report } = await fullRun('crashes-on-newlines');
    expect(report.checks.some((check) => check.id === 'signature.raw-body' && check.status === 'fail')).toBe(true);
    expect(ids(report)).not.toContain('reserialized-body');
    expect(ids(report)).toContain('unexplained:signature.raw-body');
    expect(ids(report).every((id) => id.startsWith('unexplained:'))).toBe(true);
    expectEveryFailureExplained(report);
  }, FULL_RUN_MS);

  it("the README's example of the findings block is what its command prints", async () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Reading the findings'));
    const command = /\(`npx conformance (demo [^`]+)`\)/.exec(section)![1]!.split(' ');
    const block = /```text\n(Findings: [^`]+?)\n```/.exec(section)![1]!;
    const { stdout } = await runMain([...command, '--no-progress'], { env: {} });
    const printed = stdout.slice(stdout.indexOf('Findings: '));
    expect(printed.slice(0, block.length)).toBe(block);
  }, FULL_RUN_MS);
});
