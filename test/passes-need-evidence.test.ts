/**
 * A pass needs evidence (suites/evidence.ts): a rejection or idempotency check passes only when the target answered
 * the delivery, or dropped it while it acknowledged valid deliveries in the same run. Against a target that accepts
 * connections and never answers, and one that resets every connection, no such check passes: the ones that ran are
 * skipped as inconclusive. Against a target that acknowledges valid deliveries and drops only the forged ones, the
 * forgery checks pass. The fuzzer applies the same rule to its forgery check.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckRecord, ConformanceReport } from '../reports/report.js';
import { ALL_CHECKS } from '../suites/index.js';
import { FUZZ_CHECKS } from '../suites/fuzz-cases.js';
import { hmacHex, signature } from './support/hand-signed.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-evidence-'));
const closers: (() => Promise<void>)[] = [];
const EVIDENCE_CHECKS = new Set(ALL_CHECKS.filter((check) => check.evidence !== undefined).map((check) => check.id));

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  rmSync(OUT, { recursive: true, force: true });
});

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/zoom/webhook`;
}

function report(dir: string): ConformanceReport {
  return JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')) as ConformanceReport;
}

async function run(name: string, url: string, extra: string[] = []): Promise<{ code: number; stdout: string; data: ConformanceReport; evidence: CheckRecord[] }> {
  const dir = path.join(OUT, name);
  const result = await runMain(['--target', url, '--system', 'rtms', '--seed', '5', '--no-progress', '--report', 'json', '--out', dir, ...extra], { env: ENV });
  const data = report(dir);
  return { code: result.code, stdout: result.stdout, data, evidence: data.checks.filter((check) => EVIDENCE_CHECKS.has(check.id)) };
}

/** Verifies like Zoom's documentation says (raw bytes, constant time, 5-minute window); answers only valid deliveries. */
function verified(req: http.IncomingMessage, body: Buffer): boolean {
  const timestamp = String(req.headers['x-zm-request-timestamp'] ?? '');
  const given = Buffer.from(String(req.headers['x-zm-signature'] ?? ''));
  const expected = Buffer.from(signature(SECRET, timestamp, body));
  return /^\d+$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300 && given.length === expected.length && timingSafeEqual(given, expected);
}

describe('the evidence rule', () => {
  it('a target that accepts connections and never answers: no rejection check passes; those that ran are inconclusive', async () => {
    const url = await listen(net.createServer(() => {}));
    const { code, data, evidence } = await run('silent', url, ['--deadline', '300']);
    expect(code).toBe(1);
    expect(data.stopped).toMatch(/the target stopped answering/);
    expect(evidence.filter((check) => check.status === 'pass')).toEqual([]);
    const inconclusive = evidence.filter((check) => check.status === 'skip' && /^inconclusive: /.test(check.reason ?? ''));
    expect(inconclusive.length).toBeGreaterThan(0);
    for (const check of inconclusive) expect(check.reason).toMatch(/no response within 300 ms\) and the target acknowledged no valid delivery in this run/);
  });

  it('a target that resets every connection: not one MUST result passes, every rejection check is inconclusive', async () => {
    const url = await listen(net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy())));
    const { code, stdout, data, evidence } = await run('resetting', url);
    expect(code).toBe(1);
    expect(data.summary.byLevel.MUST.pass).toBe(0);
    expect(data.checks.filter((check) => check.status === 'pass')).toEqual([]);
    // One console line per check and reason: the reason names how the deliveries were dropped, not when.
    expect(stdout).toContain('SKIP signature.wrong-secret (14): inconclusive: 1 delivery got no answer (connection closed without an answer) and the target acknowledged no valid delivery in this run');
    // Every forgery of every event, and both unsigned and wrongly signed challenges.
    const forgeries = evidence.filter((check) => check.id.startsWith('signature.'));
    expect(forgeries.length).toBe(14 * 11);
    for (const check of [...forgeries, ...evidence.filter((check) => check.id.startsWith('url-validation.'))]) {
      expect(check.status, check.id).toBe('skip');
      expect(check.reason).toMatch(/^inconclusive: \d+ deliver(y|ies) got no answer \(connection closed without an answer\) and the target acknowledged no valid delivery in this run/);
    }
  });

  it('a target that acknowledges valid deliveries and drops only forged ones: the rejection checks pass, saying why', async () => {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.method !== 'POST' || !verified(req, body)) {
          req.socket.resetAndDestroy();
          return;
        }
        const parsed = JSON.parse(body.toString('utf8')) as { event?: string; payload?: { plainToken?: string } };
        if (parsed.event === 'endpoint.url_validation') {
          const plainToken = parsed.payload?.plainToken ?? '';
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ plainToken, encryptedToken: hmacHex(SECRET, plainToken) }));
        } else res.writeHead(200).end();
      });
    });
    const url = await listen(server);
    const { data, evidence } = await run('drops-forged', url, ['--suite', 'url-validation,signature,robustness', '--checks', 'url-validation.*,signature.*,robustness.wrong-method']);
    const dropped = evidence.filter((check) => check.status === 'pass');
    expect(dropped.length).toBe(14 * 11 + 3);
    for (const check of dropped) expect(check.reason, check.id).toMatch(/got no answer \(connection closed without an answer\) while the target acknowledged \d+ valid deliveries in this run/);
    expect(data.checks.find((check) => check.id === 'url-validation.answers-challenge')?.status).toBe('pass');
    // No rejection status was seen, so "answered 401" can be neither passed nor failed.
    const with401 = data.checks.filter((check) => check.id === 'signature.rejected-with-401');
    expect(with401.length).toBe(14);
    for (const check of with401) expect(check.status).toBe('skip');
  });

  it('`conformance checks` marks the checks that need evidence and states the rule', async () => {
    const text = await runMain(['checks']);
    expect(text.stdout).toMatch(/^signature\.wrong-secret +MUST +.*\(needs evidence\)$/m);
    expect(text.stdout).toMatch(/^idempotency\.rejected-never-applied +MUST +.*\(needs --observe; needs evidence\)$/m);
    expect(text.stdout).toContain('Evidence rule: a check marked "needs evidence" passes only on what the target did with each delivery');
    const rows = JSON.parse((await runMain(['checks', '--json'])).stdout) as { id: string; evidence: string | null }[];
    expect(new Set(rows.filter((row) => row.evidence !== null).map((row) => row.id))).toEqual(new Set([...EVIDENCE_CHECKS, FUZZ_CHECKS.forged.id]));
  });

  it('fuzz: against a resetting target, the forgery property is inconclusive, not passed', async () => {
    const url = await listen(net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy())));
    const dir = path.join(OUT, 'fuzz-resetting');
    const result = await runMain(
      ['fuzz', '--target', url, '--system', 'rtms', '--seed', '3', '--runs', '60', '--concurrency', '1', '--no-progress', '--report', 'json', '--out', dir, '--replay-dir', path.join(dir, 'replays')],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    const forgery = report(dir).checks.find((check) => check.id === FUZZ_CHECKS.forged.id);
    // One lane, so the cases drawn before the first failure stopped it are those of the seed: forged ones among them.
    expect(forgery?.status).toBe('skip');
    expect(forgery?.reason).toMatch(/^inconclusive: \d+ deliver(y|ies) got no answer/);
  });
});
