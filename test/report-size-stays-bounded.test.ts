/**
 * The report's size is bounded: a full run (169 events, every check) against a receiver that fails everything it
 * can with 64 KiB answers keeps the JSON report under 25 MB (unbounded it was 300 MB) and the HTML report opens in
 * Chromium in under a second. The first failures of each check keep their exchanges in full; every other exchange
 * keeps what a diagnosis reads: label, status or error, latency, and each body's size and digest.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundExchanges, FULL_EXCHANGES_PER_FAILURE, FULL_FAILURES_PER_CHECK, type ConformanceReport, type ExchangeRecord } from '../reports/report.js';
import { reportProblems } from '../reports/report-schema.js';
import { chromiumAvailable, launchChromium } from './support/chromium.js';
import { startHostileReceiver, type HostileReceiver } from './support/hostile-receiver.js';
import { readReport } from './support/report-files.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec${randomBytes(16).toString('hex')}`;
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-size-'));
const MB = 1024 * 1024;

let receiver: HostileReceiver;
let report: ConformanceReport;

beforeAll(async () => {
  receiver = await startHostileReceiver(SECRET, { failEverything: true });
  const result = await runMain(['--target', receiver.url, '--seed', '21', '--report', 'json,html', '--out', OUT, '--no-progress'], { env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } });
  expect(result.code).toBe(1);
  report = readReport(OUT);
}, 300_000);

afterAll(async () => {
  await receiver?.stop();
  rmSync(OUT, { recursive: true, force: true });
});

const isFull = (exchange: ExchangeRecord) => exchange.curl !== undefined;

describe('a full run against a receiver that fails everything with 64 KiB answers', () => {
  it('keeps the JSON report under 25 MB, valid against its schema', () => {
    const bytes = statSync(path.join(OUT, 'conformance.json')).size;
    const answers = report.checks.flatMap((check) => check.exchanges).filter((exchange) => exchange.response?.body?.bytes === 64 * 1024).length;
    console.log(`JSON report: ${(bytes / MB).toFixed(1)} MB for ${report.checks.length} results, ${report.summary.total.fail} failed, ${answers} answers of 64 KiB`);
    expect(report.summary.total.fail).toBeGreaterThan(2500);
    expect(answers).toBeGreaterThan(4000);
    expect(bytes).toBeLessThan(25 * MB);
    expect(reportProblems(report)).toEqual([]);
  });

  it('keeps the first failures of each check in full and every exchange as a diagnosis reads it', () => {
    const failedIds = new Set(report.checks.filter((check) => check.status === 'fail').map((check) => check.id));
    for (const id of failedIds) {
      const failures = report.checks.filter((check) => check.id === id && check.status === 'fail');
      // The first failure of every check shows its first exchange in full (curl, headers, the answer's bytes).
      expect(isFull(failures[0]!.exchanges[0]!), id).toBe(true);
      expect(failures[0]!.exchanges[0]!.response?.body?.text?.length ?? 0, id).toBeGreaterThan(0);
      failures.forEach((failure, index) => {
        const full = failure.exchanges.filter(isFull).length;
        expect(full, `${id} #${index + 1}`).toBeLessThanOrEqual(index < FULL_FAILURES_PER_CHECK ? FULL_EXCHANGES_PER_FAILURE : 0);
      });
    }
    for (const exchange of report.checks.flatMap((check) => check.exchanges)) {
      expect(exchange.latencyMs).toBeGreaterThanOrEqual(0);
      expect(exchange.response?.status ?? exchange.error?.kind).toBeDefined();
      for (const body of [exchange.request.body, exchange.response?.body]) {
        if (!body) continue;
        expect(body.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(body.bytes).toBeGreaterThanOrEqual(0);
        // Either the bytes, or a note that they were left out: the size stays the full size.
        expect(body.text !== undefined || body.base64 !== undefined || body.omitted === true).toBe(true);
      }
      if (!isFull(exchange) && exchange.response?.body) expect(exchange.response.body).toEqual({ omitted: true, bytes: exchange.response.body.bytes, truncated: exchange.response.body.truncated, sha256: exchange.response.body.sha256 });
    }
    expect(report.checks.flatMap((check) => check.exchanges).filter((exchange) => exchange.label === undefined)).toEqual([]);
  });

  it('the bound applied again (as merge does) changes nothing', () => {
    expect(boundExchanges(report.checks)).toEqual(report.checks);
  });

  it.skipIf(!chromiumAvailable())('opens the HTML report in Chromium in under a second', async () => {
    const chromium = await launchChromium();
    try {
      // The best of three opens: the page's own cost, not the load of whatever else runs on the machine.
      const times: number[] = [];
      for (let open = 0; open < 3; open++) {
        const page = await chromium.context.newPage();
        await page.goto(pathToFileURL(path.join(OUT, 'conformance.html')).href);
        await page.waitForSelector('html[data-rendered]');
        times.push(Number(await page.evaluate(`document.documentElement.getAttribute('data-rendered')`)));
        await page.close();
      }
      const bytes = statSync(path.join(OUT, 'conformance.html')).size;
      console.log(`HTML report: ${(bytes / MB).toFixed(1)} MB, rendered ${times.map(Math.round).join(', ')} ms after navigation`);
      expect(Math.min(...times)).toBeLessThan(1000);
    } finally {
      await chromium.close();
    }
  }, 60_000);
});
