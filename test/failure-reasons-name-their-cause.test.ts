/**
 * A failure's reason names its cause (no answer within the deadline, the connection closed, the status, not JSON,
 * the wrong token) for the very delivery whose exchange it shows. `url-validation.answers-challenge` is a property
 * that fast-check shrinks by replaying tokens: its reason and exchange are those of the counterexample, also when the
 * target stops answering halfway.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckRecord, ConformanceReport } from '../reports/report.js';
import { hmacHex } from './support/hand-signed.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-reasons-'));
const servers: net.Server[] = [];

afterAll(async () => {
  for (const server of servers) (server as http.Server).closeAllConnections?.();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(OUT, { recursive: true, force: true });
});

async function listen(server: net.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/zoom/webhook`;
}

/** A challenge receiver: `answer(plainToken, count)` says what to do with the count-th challenge. */
function challengeTarget(answer: (plainToken: string, count: number, res: http.ServerResponse) => void): http.Server {
  let count = 0;
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payload?: { plainToken?: string } };
      answer(body.payload?.plainToken ?? '', ++count, res);
    });
  });
}

const correct = (plainToken: string, res: http.ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ plainToken, encryptedToken: hmacHex(SECRET, plainToken) }));

async function answersChallenge(name: string, url: string, extra: string[] = []): Promise<CheckRecord> {
  const dir = path.join(OUT, name);
  const args = ['--target', url, '--suite', 'url-validation', '--checks', 'url-validation.answers-challenge', '--seed', '9', '--no-progress', '--report', 'json', '--out', dir, ...extra];
  await runMain(args, { env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } });
  const report = JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')) as ConformanceReport;
  return report.checks.find((check) => check.id === 'url-validation.answers-challenge')!;
}

/** The plainToken the reason names is the one of the exchange shown. */
function expectOwnExchange(check: CheckRecord): void {
  const token = /^plainToken "([^"]+)"/.exec(check.reason ?? '')?.[1];
  expect(token, check.reason ?? '').toBeDefined();
  expect(check.exchanges).toHaveLength(1);
  expect(check.exchanges[0]!.label).toBe(`signed challenge (plainToken ${token})`);
  expect(check.exchanges[0]!.request.body?.text).toContain(`"plainToken":"${token}"`);
}

describe('url-validation.answers-challenge names the cause of the delivery it shows', () => {
  it('an answer that is not JSON', async () => {
    const url = await listen(challengeTarget((_token, _count, res) => res.writeHead(200).end('ok')));
    const check = await answersChallenge('not-json', url);
    expect(check.status).toBe('fail');
    expect(check.reason).toMatch(/^plainToken "[^"]+" \(challenge 1 failed, shrunk \d+ times\): status 200 after \d+ ms; the answer is not a JSON object$/);
    expectOwnExchange(check);
  });

  it('a wrong encryptedToken', async () => {
    const url = await listen(challengeTarget((plainToken, _count, res) => res.writeHead(200).end(JSON.stringify({ plainToken, encryptedToken: hmacHex('another secret', plainToken) }))));
    const check = await answersChallenge('wrong-token', url);
    expect(check.reason).toMatch(/: status 200 after \d+ ms; encryptedToken is not the lowercase hex HMAC-SHA256 of plainToken with the secret token$/);
    expectOwnExchange(check);
  });

  it('a target that answers a few challenges, then stops answering: the timeout of that very token', async () => {
    const url = await listen(challengeTarget((plainToken, count, res) => (count <= 3 ? correct(plainToken, res) : undefined)));
    const check = await answersChallenge('stops-answering', url, ['--deadline', '300']);
    expect(check.status).toBe('fail');
    expect(check.reason).toMatch(/^plainToken "[^"]+" \(challenge 4 failed, shrunk \d+ times\): no response within 300 ms$/);
    expectOwnExchange(check);
    expect(check.exchanges[0]!.error?.kind).toBe('timeout');
  });

  it('a target that closes the connection on challenges', async () => {
    const url = await listen(net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy())));
    const check = await answersChallenge('resets', url);
    expect(check.reason).toMatch(/: connection closed without an answer after \d+ ms$/);
    expectOwnExchange(check);
    expect(check.exchanges[0]!.error?.kind).toBe('reset');
  });
});
