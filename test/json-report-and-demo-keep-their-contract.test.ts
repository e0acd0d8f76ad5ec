/**
 * The JSON report keeps the shape the issue fixed (tool, version, target, seed, startedAt, durationMs, summary,
 * checks with id, suite, level, event, status, reason, exchanges); checks that need the observer are skipped with
 * the reason without one (never passed); the same seed sends the same bodies; `conformance demo` (the README's main
 * job) runs green from the built command line and leaves no receiver behind.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../reports/report.js';
import { ALL_CHECKS } from '../suites/index.js';
import { startReceiver, type RunningReceiver } from './support/receivers.js';
import { runCli } from './support/run-cli.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-report-'));
let receiver: RunningReceiver;

beforeAll(async () => {
  receiver = await startReceiver({ secret: SECRET });
});

afterAll(async () => {
  await receiver.stop();
  rmSync(OUT, { recursive: true, force: true });
});

async function runWithReport(name: string, args: string[]): Promise<{ code: number; stdout: string; report: ConformanceReport }> {
  const dir = path.join(OUT, name);
  const result = await runMain(['--target', receiver.url, '--report', 'json', '--out', dir, '--no-progress', ...args], { env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } });
  return { ...result, report: JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')) as ConformanceReport };
}

describe('the JSON report', () => {
  it('has the stable shape, and observer checks are skipped with the reason when there is no observer', async () => {
    const { code, report } = await runWithReport('shape', ['--seed', '5', '--system', 'video-sdk', '--events', 'session.started,session.ended']);
    expect(code).toBe(0);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['tool', 'version', 'target', 'seed', 'startedAt', 'durationMs', 'summary', 'checks']));
    expect(report.tool).toBe('zoom-conformance');
    expect(report.target).toBe(receiver.url);
    expect(report.seed).toBe(5);
    expect(Number.isNaN(Date.parse(report.startedAt))).toBe(false);
    expect(report.summary.byLevel.MUST.fail).toBe(0);
    for (const check of report.checks) {
      expect(Object.keys(check)).toEqual(expect.arrayContaining(['id', 'suite', 'level', 'event', 'status', 'reason', 'exchanges']));
      expect(['pass', 'fail', 'skip']).toContain(check.status);
      expect(['MUST', 'SHOULD']).toContain(check.level);
    }
    const observerChecks = ALL_CHECKS.filter((check) => check.needsObserver).map((check) => check.id);
    expect(observerChecks.length).toBeGreaterThanOrEqual(6);
    for (const id of observerChecks) {
      const results = report.checks.filter((check) => check.id === id);
      expect(results.map((check) => check.event).sort()).toEqual(['session.ended', 'session.started']);
      for (const result of results) {
        expect(result.status).toBe('skip');
        expect(result.reason).toMatch(/needs --observe URL/);
      }
    }
    expect(JSON.stringify(report)).not.toContain(SECRET);
  });

  it('the same seed sends the same bodies (a reproduce line repeats a check exactly); another seed, others', async () => {
    // A target that keeps every body it receives and acknowledges it.
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('base64'));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/zoom/webhook`;
    const bodiesOf = async (seed: string) => {
      received.length = 0;
      const args = ['--target', target, '--seed', seed, '--events', 'meeting.started,session.ended', '--suite', 'acknowledgement,robustness', '--no-progress'];
      await runMain(args, { env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } });
      return [...received].sort();
    };
    try {
      const first = await bodiesOf('77');
      expect(first.length).toBeGreaterThan(20);
      expect(await bodiesOf('77')).toEqual(first);
      expect(await bodiesOf('78')).not.toEqual(first);
    } finally {
      server.close();
    }
  });
});

describe('conformance demo', () => {
  it('runs the suites against the bundled compliant receiver: exit 0, a green summary, no receiver left behind', async () => {
    const result = await runCli(['demo', '--seed', '3', '--events', 'meeting.*', '--no-progress'], { timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/demo: reference receiver at http:\/\/127\.0\.0\.1:(\d+)\/zoom\/webhook/);
    expect(result.stdout).toMatch(/observer: yes/);
    expect(result.stdout).toMatch(/^PASS no MUST failure/m);
    const port = /127\.0\.0\.1:(\d+)/.exec(result.stdout)![1]!;
    // The receiver is gone: its port no longer accepts connections.
    const refused = await fetch(`http://127.0.0.1:${port}/zoom/observe?event=x&event_ts=1`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
  });

  it('with a planted defect: exit 1, and each failure reproduces through the demo itself', async () => {
    const result = await runCli(['demo', '--defect', 'prefix-compare', '--seed', '4', '--events', 'meeting.started', '--no-progress'], { timeoutMs: 120_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL MUST {3}signature\.truncated/);
    expect(result.stdout).toMatch(/reproduce: npx conformance demo --defect prefix-compare --seed 4 --suite signature --checks signature\.truncated --events meeting\.started/);
  });
});
