/**
 * The run never hangs and never loses a result, whatever the target does: a target that is not there stops the
 * run at once with one line and exit code 2; one that stops answering ends the run early with the remaining checks
 * skipped (with the reason); one that floods its answers is read only up to the cap; one that goes away mid-run
 * exits 2. Usage errors are one line, exit 2, and the secret is never printed.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpEngine } from '../engine/http.js';
import type { ConformanceReport } from '../reports/report.js';
import { freePort } from './support/prism.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-hostile-'));
const servers: http.Server[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(OUT, { recursive: true, force: true });
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.closeIdleConnections?.();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/zoom/webhook`;
}

function report(dir: string): ConformanceReport {
  return JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')) as ConformanceReport;
}

describe('usage and configuration errors: one line, exit 2', () => {
  const cases: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ['no secret', ['--target', 'http://127.0.0.1:9/zoom/webhook'], {}, /no secret token: set ZOOM_WEBHOOK_SECRET_TOKEN/],
    ['not a URL', ['--target', 'localhost:3000'], ENV, /--target must be an http:\/\/ or https:\/\/ URL/],
    ['unknown suite', ['--target', 'http://127.0.0.1:9/', '--suite', 'signatures'], ENV, /--suite: unknown suite "signatures"/],
    ['no matching event', ['--target', 'http://127.0.0.1:9/', '--events', 'meeting.nothing*'], ENV, /--events: "meeting\.nothing\*" matches no event/],
    ['no matching check', ['--target', 'http://127.0.0.1:9/', '--checks', 'signature.nope'], ENV, /--checks: "signature\.nope" matches no check/],
    ['unknown report format', ['--target', 'http://127.0.0.1:9/', '--report', 'pdf'], ENV, /--report: unknown format "pdf"/],
    ['bad basic auth', ['--target', 'http://127.0.0.1:9/', '--basic', 'nopassword'], ENV, /--basic takes user:password/],
    ['bad count', ['--target', 'http://127.0.0.1:9/', '--examples', '0'], ENV, /--examples must be a whole number/],
  ];
  for (const [name, args, env, message] of cases) {
    it(name, async () => {
      const result = await runMain(args, { env });
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    });
  }

  it('without --target the help is printed (exit 2); --help explains the main job (exit 0)', async () => {
    const bare = await runMain([], { env: ENV });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--target <url>/);
    const help = await runMain(['--help'], { env: ENV });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--observe <url>/);
    expect(help.stdout).toMatch(/Exit codes: 0 no MUST failure/);
  });
});

describe('absent and vanishing targets', () => {
  it('a target nobody listens on: one line naming it, exit 2, nothing sent', async () => {
    const port = await freePort();
    const result = await runMain(['--target', `http://127.0.0.1:${port}/zoom/webhook`, '--no-progress'], { env: ENV });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`conformance: cannot reach http://127.0.0.1:${port}: connection refused`);
  });

  it('a target that goes away mid-run: the run stops, exit 2, the rest is skipped with the reason', async () => {
    let answered = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        answered++;
        res.writeHead(200).end();
        // After a few answers the process "crashes": no more connections are accepted.
        if (answered === 30) {
          server.close();
          server.closeAllConnections();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/zoom/webhook`;
    const dir = path.join(OUT, 'vanishing');
    const result = await runMain(['--target', url, '--system', 'rtms', '--no-progress', '--report', 'json', '--out', dir], { env: ENV });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the target stopped accepting connections \(refused 5 times in a row\)/);
    const skipped = report(dir).checks.filter((check) => check.status === 'skip');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.some((check) => /^not reached: the target stopped accepting connections/.test(check.reason ?? ''))).toBe(true);
  });
});

describe('slow, hanging and flooding targets', () => {
  it('a target that never answers: every delivery times out at the deadline, the run ends early, exit 1', async () => {
    const url = await serve((req) => {
      req.resume(); // reads, never answers
    });
    const dir = path.join(OUT, 'hanging');
    const started = Date.now();
    const result = await runMain(['--target', url, '--system', 'rtms', '--deadline', '300', '--no-progress', '--report', 'json', '--out', dir], { env: ENV });
    const elapsed = Date.now() - started;
    expect(result.code).toBe(1);
    // 20 silent deliveries in a row stop the run: a few rounds of the deadline, not 14 events x every check.
    expect(elapsed).toBeLessThan(15_000);
    const data = report(dir);
    expect(data.stopped).toMatch(/the target stopped answering \(\d+ deliveries in a row got no answer within 300 ms\)/);
    const failures = data.checks.filter((check) => check.status === 'fail');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.some((check) => check.exchanges.some((exchange) => exchange.error?.kind === 'timeout'))).toBe(true);
    expect(data.checks.some((check) => check.status === 'skip' && /^not reached: the target stopped answering/.test(check.reason ?? ''))).toBe(true);
  });

  it('a slow answer is recorded with its latency and fails only the deadline', async () => {
    const url = await serve((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(200).end(), 400);
    });
    const dir = path.join(OUT, 'slow');
    const result = await runMain(['--target', url, '--events', 'meeting.started', '--suite', 'acknowledgement', '--deadline', '200', '--no-progress', '--report', 'json', '--out', dir], {
      env: ENV,
    });
    expect(result.code).toBe(1);
    const failure = report(dir).checks.find((check) => check.id === 'acknowledgement.valid-delivery')!;
    expect(failure.status).toBe('fail');
    expect(failure.reason).toMatch(/no response within 200 ms/);
  });

  it('reads at most the cap of a response body, whatever the target sends', async () => {
    const url = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    const engine = new HttpEngine({ deadlineMs: 3000, concurrency: 2, maxResponseBytes: 10_000 });
    try {
      const exchange = await engine.send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') });
      expect(exchange.response?.status).toBe(200);
      expect(exchange.response?.body.length).toBe(10_000);
      expect(exchange.response?.truncated).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
