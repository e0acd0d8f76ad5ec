/**
 * reports/conformance-report.schema.json describes the JSON report exactly: the reports of every kind of run
 * validate against it (a passing run with an observer, planted defects, bodies that are not UTF-8 or are cut,
 * repeated headers, endpoint credentials, a target that goes away mid-run), and a report with a field too many,
 * too few or of the wrong kind does not. (The shard and merge tests and the browser tests validate theirs too.)
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../reports/report.js';
import { reportProblems } from '../reports/report-schema.js';
import { startApiFake } from './support/api-servers.js';
import { startReceiver } from './support/receivers.js';
import { readReport } from './support/report-files.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-schema-'));
const EVENTS = 'meeting.started,session.user_joined,meeting.participant_qos,meeting.rtms_started';
const servers: http.Server[] = [];
const reports: ConformanceReport[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(OUT, { recursive: true, force: true });
});

async function serve(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/zoom/webhook`, server };
}

async function runAndRead(name: string, args: string[]): Promise<ConformanceReport> {
  const out = path.join(OUT, name);
  await runMain([...args, '--seed', '12', '--report', 'json', '--out', out, '--no-progress'], { env: ENV });
  const report = readReport(out);
  reports.push(report);
  return report;
}

describe('the JSON report of every kind of run matches its schema', () => {
  it('a passing run with an observer', async () => {
    const receiver = await startReceiver({ secret: SECRET });
    try {
      const report = await runAndRead('compliant', ['--target', receiver.url, '--observe', receiver.observeUrl, '--events', EVENTS]);
      expect(report.summary.verdict).toBe('pass');
      expect(report.config.observer).toBe(true);
    } finally {
      await receiver.stop();
    }
  });

  it('planted defects: failures with full exchanges, --strict, endpoint credentials', async () => {
    for (const defect of ['crashes-on-bad-json', 'no-freshness', 'challenge-wrong-token']) {
      const receiver = await startReceiver({ secret: SECRET, defect });
      try {
        const report = await runAndRead(defect, ['--target', receiver.url, '--events', EVENTS, '--strict', '--basic', 'user:pa55word', '--header', 'x-custom: value']);
        expect(report.summary.total.fail).toBeGreaterThan(0);
        // Findings, and the finding of every failed result (the schema holds a failed result to have one).
        expect(report.findings.length).toBeGreaterThan(0);
        expect(report.checks.filter((check) => check.status === 'fail').every((check) => report.findings.some((finding) => finding.id === check.finding))).toBe(true);
        expect(JSON.stringify(report)).not.toContain('pa55word');
      } finally {
        await receiver.stop();
      }
    }
  });

  it('bodies that are not UTF-8 or are cut, and repeated headers', async () => {
    const junk = Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28]), randomBytes(200 * 1024)]);
    const { url } = await serve((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'set-cookie': ['a=1', 'b=2'], 'content-type': 'application/octet-stream' }).end(junk));
    });
    const report = await runAndRead('binary', ['--target', url, '--events', EVENTS, '--suite', 'url-validation,signature']);
    const bodies = report.checks.flatMap((check) => check.exchanges.flatMap((exchange) => (exchange.response?.body ? [exchange.response.body] : [])));
    expect(bodies.some((body) => body.base64 !== undefined && body.truncated)).toBe(true);
    expect(report.checks.some((check) => check.exchanges.some((exchange) => Array.isArray(exchange.response?.headers?.['set-cookie'])))).toBe(true);
  });

  it('an API contract run (conformance api), with a planted defect', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJzY2hlbWEtdGVzdCJ9.c2lnbmF0dXJl';
    const fake = await startApiFake({ token, defect: 'schema-break' });
    try {
      const out = path.join(OUT, 'api');
      await runMain(['api', '--target', fake.url, '--token', token, '--unsafe', '--seed', '12', '--report', 'json', '--out', out, '--no-progress'], { env: {} });
      const report = readReport(out);
      expect(report.config.suites).toEqual(['api-contract']);
      expect(report.summary.total.fail).toBeGreaterThan(0);
    } finally {
      await fake.stop();
    }
  });

  it('a fuzz run (conformance fuzz), with a planted defect', async () => {
    const receiver = await startReceiver({ secret: SECRET, defect: 'prefix-compare' });
    try {
      const out = path.join(OUT, 'fuzz');
      await runMain(['fuzz', '--target', receiver.url, '--runs', '60', '--seed', '12', '--report', 'json', '--out', out, '--replay-dir', path.join(OUT, 'replays'), '--no-progress'], { env: ENV });
      const report = readReport(out);
      expect(report.checks.length).toBeGreaterThan(0);
      expect(report.findings.map((finding) => finding.id)).toContain(report.checks.find((check) => check.status === 'fail')!.finding);
    } finally {
      await receiver.stop();
    }
  });

  it('a target that goes away mid-run: stopped, refused exchanges, the rest skipped', async () => {
    let requests = 0;
    const { url, server } = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200).end();
        if (++requests === 60) {
          server.close();
          server.closeAllConnections();
        }
      });
    });
    const report = await runAndRead('gone', ['--target', url, '--events', EVENTS]);
    expect(report.stopped).toMatch(/stopped accepting connections/);
    expect(report.summary.total.skip).toBeGreaterThan(0);
  });
});

describe('the schema is exact', () => {
  const valid = (): ConformanceReport => structuredClone(reports.find((report) => report.summary.total.fail > 0)!);
  const cases: [string, (report: ConformanceReport & Record<string, unknown>) => void, RegExp][] = [
    ['a field too many at the top', (report) => (report.extra = 1), /^\/: must NOT have additional properties/],
    ['a field too many in a check', (report) => Object.assign(report.checks[0]!, { note: 'x' }), /^\/checks\/0: must NOT have additional properties/],
    ['a field too many in an exchange', (report) => Object.assign(report.checks.find((check) => check.exchanges.length > 0)!.exchanges[0]!, { raw: 'x' }), /must NOT have additional properties/],
    ['a missing field', (report) => delete (report as Partial<ConformanceReport>).seed, /^\/: must have required property 'seed'/],
    ['an unknown status', (report) => ((report.checks[0] as { status: string }).status = 'passed'), /^\/checks\/0\/status: must be equal to one of the allowed values/],
    ['an unknown level', (report) => ((report.checks[0] as { level: string }).level = 'MAY'), /^\/checks\/0\/level/],
    ['a body with both text and base64', (report) => Object.assign(report.checks.find((check) => check.status === 'fail')!.exchanges[0]!.request.body!, { base64: 'AA==' }), /must match exactly one schema in oneOf/],
    ['a malformed shard', (report) => (report.config.shard = '4/3x'), /^\/config\/shard: must match pattern/],
    ['another report version', (report) => ((report as { reportVersion: number }).reportVersion = 1), /^\/reportVersion: must be equal to constant/],
    ['a failed result without its finding', (report) => delete report.checks.find((check) => check.status === 'fail')!.finding, /must have required property 'finding'/],
    ['a finding on a result that did not fail', (report) => (report.checks.find((check) => check.status === 'pass')!.finding = 'x'), /must NOT be valid/],
    ['a field too many in a finding', (report) => Object.assign(report.findings[0]!, { guess: true }), /^\/findings\/0: must NOT have additional properties/],
    ['a finding that explains no result', (report) => (report.findings[0]!.results = 0), /^\/findings\/0\/results: must be >= 1/],
    ['a trait of another kind', (report) => Object.assign(report.checks.find((check) => check.exchanges.length > 0)!.exchanges[0]!.traits!, { compact: 'yes' }), /traits\/compact: must be boolean/],
    ['a tally that is not a count', (report) => ((report.summary.total as { pass: number }).pass = -1), /^\/summary\/total\/pass: must be >= 0/],
  ];
  for (const [name, change, problem] of cases) {
    it(`refuses ${name}`, () => {
      const report = valid() as ConformanceReport & Record<string, unknown>;
      expect(reportProblems(report)).toEqual([]);
      change(report);
      const problems = reportProblems(report);
      expect(problems.some((text) => problem.test(text)), problems.join('\n')).toBe(true);
    });
  }
});
