/**
 * The compiled compliant reference receiver (dist/examples/receivers/compliant.js), run as a real process and
 * driven with deliveries signed by hand in this file (node:crypto, Zoom's documented construction): it verifies
 * before anything else, answers the challenge exactly, applies each delivery once, and refuses the rest.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeBody, hmacHex, meetingStarted, nowSeconds, signature, signedHeaders, uniqueEventTs } from './support/hand-signed.js';
import { REPO_ROOT } from './support/paths.js';
import { appliedCount, COMPLIANT_SCRIPT, exchange, LISTENING_LINE, startReceiver, type RunningReceiver } from './support/receivers.js';

const SECRET = `secret-${randomBytes(12).toString('hex')}`;
const MiB = 1024 * 1024;

let receiver: RunningReceiver;

beforeAll(async () => {
  receiver = await startReceiver({ secret: SECRET });
});

afterAll(async () => {
  await receiver?.stop();
});

/** POSTs a body signed with the test secret. */
function deliver(body: Buffer | string, headers: Record<string, string> = signedHeaders(SECRET, body)) {
  return exchange(receiver.url, { body, headers });
}

function errorOf(text: string): unknown {
  return (JSON.parse(text) as { error?: unknown }).error;
}

describe('the compliant reference receiver', () => {
  it('prints exactly one listening line, naming the webhook and observer URLs', () => {
    expect(receiver.stdout()).toMatch(LISTENING_LINE);
    expect(receiver.stdout().split('\n')).toHaveLength(2); // one line and its newline
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/zoom\/webhook$/);
    expect(receiver.observeUrl).toBe(receiver.url.replace(/webhook$/, 'observe'));
  });

  it('acknowledges a valid delivery at once with an empty 200 and applies it once', async () => {
    const eventTs = uniqueEventTs();
    expect(await appliedCount(receiver.observeUrl, 'meeting.started', eventTs)).toBe(0);
    const response = await deliver(meetingStarted(eventTs));
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
    expect(response.ms).toBeLessThan(1000);
    expect(await appliedCount(receiver.observeUrl, 'meeting.started', eventTs)).toBe(1);
  });

  it('acknowledges a retry (same body, fresh signature) and an exact duplicate with 200 without applying them again', async () => {
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    const first = signedHeaders(SECRET, body, nowSeconds() - 60);
    expect((await deliver(body, first)).status).toBe(200);
    expect((await deliver(body, first)).status).toBe(200); // the same request again (a second subscription)
    expect((await deliver(body)).status).toBe(200); // a retry: same body, new timestamp and signature
    expect(await appliedCount(receiver.observeUrl, 'meeting.started', eventTs)).toBe(1);
  });

  it('answers the URL validation challenge with the token and its lowercase hex HMAC, as JSON', async () => {
    const plainToken = `qgg8vlvZRS6UYooatFL8Aw-${randomBytes(6).toString('hex')}`;
    const response = await deliver(challengeBody(plainToken));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json\b/);
    expect(JSON.parse(response.text)).toStrictEqual({ plainToken, encryptedToken: hmacHex(SECRET, plainToken) });
  });

  it('refuses an unsigned, wrongly signed or stale challenge with 401 and reveals no token', async () => {
    // The attack: a challenge answered unverified signs anything, e.g. a forged delivery's signature message.
    const plainToken = `v0:${nowSeconds()}:{"event":"meeting.deleted","event_ts":1,"payload":{}}`;
    const body = challengeBody(plainToken);
    const attempts: Record<string, string>[] = [
      {},
      signedHeaders('not-the-secret', body),
      { ...signedHeaders(SECRET, body, nowSeconds() - 3600) },
      { 'x-zm-request-timestamp': String(nowSeconds()) },
    ];
    for (const headers of attempts) {
      const response = await deliver(body, headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.text).not.toContain(hmacHex(SECRET, plainToken));
      expect(response.text).not.toContain('encryptedToken');
    }
  });

  it('rejects missing, malformed, forged, tampered and stale signatures with a JSON 401 and applies nothing', async () => {
    type Case = [name: string, build: (eventTs: number) => { body: string; headers: Record<string, string> }];
    const ts = () => nowSeconds();
    const valid = (eventTs: number) => meetingStarted(eventTs);
    const hexOf = (body: string, at: number) => signature(SECRET, at, body).slice(3);
    const cases: Case[] = [
      ['no headers at all', (e) => ({ body: valid(e), headers: {} })],
      ['no x-zm-signature', (e) => ({ body: valid(e), headers: { 'x-zm-request-timestamp': String(ts()) } })],
      ['no x-zm-request-timestamp', (e) => ({ body: valid(e), headers: { 'x-zm-signature': signature(SECRET, ts(), valid(e)) } })],
      ['signed with another secret', (e) => ({ body: valid(e), headers: signedHeaders('not-the-secret', valid(e)) })],
      ['tampered body', (e) => ({ body: valid(e).replace('Weekly sync', 'Weekly sink'), headers: signedHeaders(SECRET, valid(e)) })],
      ['timestamp header differs from the signed one', (e) => ({ body: valid(e), headers: { ...signedHeaders(SECRET, valid(e)), 'x-zm-request-timestamp': String(ts() - 1) } })],
      ['timestamp in milliseconds (signed that way)', (e) => ({ body: valid(e), headers: signedHeaders(SECRET, valid(e), Date.now()) })],
      ['timestamp with a fraction (signed that way)', (e) => ({ body: valid(e), headers: signedHeaders(SECRET, valid(e), `${ts()}.5`) })],
      ['negative timestamp (signed that way)', (e) => ({ body: valid(e), headers: signedHeaders(SECRET, valid(e), `-${ts()}`) })],
      ['uppercase hex', (e) => ({ body: valid(e), headers: { 'x-zm-request-timestamp': String(ts()), 'x-zm-signature': `v0=${hexOf(valid(e), ts()).toUpperCase()}` } })],
      ['version v1 with the right hex', (e) => ({ body: valid(e), headers: { 'x-zm-request-timestamp': String(ts()), 'x-zm-signature': `v1=${hexOf(valid(e), ts())}` } })],
      ['hex without the v0= prefix', (e) => ({ body: valid(e), headers: { 'x-zm-request-timestamp': String(ts()), 'x-zm-signature': hexOf(valid(e), ts()) } })],
      ['just "v0="', (e) => ({ body: valid(e), headers: { 'x-zm-request-timestamp': String(ts()), 'x-zm-signature': 'v0=' } })],
      ['truncated signature', (e) => ({ body: valid(e), headers: { 'x-zm-request-timestamp': String(ts()), 'x-zm-signature': signature(SECRET, ts(), valid(e)).slice(0, 40) } })],
      ['signature with a trailing extra character', (e) => ({ body: valid(e), headers: { 'x-zm-request-timestamp': String(ts()), 'x-zm-signature': `${signature(SECRET, ts(), valid(e))}0` } })],
      ['stale: signed 301 s ago', (e) => ({ body: valid(e), headers: signedHeaders(SECRET, valid(e), ts() - 301) })],
      ['stale: signed a day ago', (e) => ({ body: valid(e), headers: signedHeaders(SECRET, valid(e), ts() - 86_400) })],
      ['future: signed 301 s ahead', (e) => ({ body: valid(e), headers: signedHeaders(SECRET, valid(e), ts() + 301) })],
    ];
    for (const [name, build] of cases) {
      const eventTs = uniqueEventTs();
      const { body, headers } = build(eventTs);
      const response = await deliver(body, headers);
      expect(response.status, name).toBe(401);
      expect(response.headers['content-type'], name).toMatch(/^application\/json\b/);
      expect(typeof errorOf(response.text), name).toBe('string');
      expect(await appliedCount(receiver.observeUrl, 'meeting.started', eventTs), name).toBe(0);
    }
  });

  it('accepts timestamps inside the 300-second window on both sides', async () => {
    for (const offset of [-290, 290]) {
      const eventTs = uniqueEventTs();
      const body = meetingStarted(eventTs);
      expect((await deliver(body, signedHeaders(SECRET, body, nowSeconds() + offset))).status, `offset ${offset}`).toBe(200);
      expect(await appliedCount(receiver.observeUrl, 'meeting.started', eventTs)).toBe(1);
    }
  });

  it('verifies the raw bytes: other encodings of the same JSON are accepted and applied', async () => {
    const encodings: [string, (eventTs: number) => string][] = [
      ['whitespace and newlines', (e) => `{\n  "event" : "meeting.started",\n\t"event_ts": ${e} ,\r\n "payload": { "object": { "topic": "x" } }\n}\n`],
      ['unicode escapes', (e) => `{"event":"meeting.started","event_ts":${e},"payload":{"object":{"topic":"\\u00e9t\\u00e9 \\ud83c\\udf89"}}}`],
      ['raw UTF-8 and emoji', (e) => `{"event":"meeting.started","event_ts":${e},"payload":{"object":{"topic":"été 🎉 日本語"}}}`],
      ['escaped slashes', (e) => `{"event":"meeting.started","event_ts":${e},"payload":{"object":{"join_url":"https:\\/\\/zoom.us\\/j\\/1"}}}`],
      ['keys in another order', (e) => `{"payload":{"object":{"topic":"x"}},"event_ts":${e},"event":"meeting.started"}`],
      ['an integer beyond 2^53', (e) => `{"event":"meeting.started","event_ts":${e},"payload":{"object":{"id":9007199254740993}}}`],
    ];
    for (const [name, build] of encodings) {
      const eventTs = uniqueEventTs();
      const body = Buffer.from(build(eventTs), 'utf8');
      expect((await deliver(body)).status, name).toBe(200);
      expect(await appliedCount(receiver.observeUrl, 'meeting.started', eventTs), name).toBe(1);
    }
  });

  it('acknowledges and applies events it does not know (Zoom adds events)', async () => {
    const eventTs = uniqueEventTs();
    const body = JSON.stringify({ event: 'zoom.brand_new_event', event_ts: eventTs, payload: { object: { id: 'x' } } });
    expect((await deliver(body)).status).toBe(200);
    expect(await appliedCount(receiver.observeUrl, 'zoom.brand_new_event', eventTs)).toBe(1);
  });

  it('answers 400 to a signed body that is not a JSON object with a string "event"', async () => {
    const bodies: [string, Buffer][] = [
      ['not JSON', Buffer.from('event=meeting.started&event_ts=1')],
      ['empty', Buffer.alloc(0)],
      ['truncated JSON', Buffer.from('{"event":"meeting.started","event_ts":1,"payl')],
      ['JSON then garbage', Buffer.from('{"event":"meeting.started","event_ts":1,"payload":{}} trailing')],
      ['an array', Buffer.from('[{"event":"meeting.started"}]')],
      ['null', Buffer.from('null')],
      ['no event', Buffer.from('{"event_ts":1,"payload":{}}')],
      ['a numeric event', Buffer.from('{"event":5,"event_ts":1,"payload":{}}')],
      ['UTF-16', Buffer.from('{"event":"meeting.started","event_ts":1,"payload":{}}', 'utf16le')],
      ['invalid UTF-8 in a string', Buffer.concat([Buffer.from('{"event":"meeting.started","event_ts":1,"payload":{"object":{"topic":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}}')])],
      ['a challenge without plainToken', Buffer.from('{"event":"endpoint.url_validation","event_ts":1,"payload":{}}')],
    ];
    for (const [name, body] of bodies) {
      const response = await deliver(body);
      expect(response.status, name).toBe(400);
      expect(typeof errorOf(response.text), name).toBe('string');
    }
  });

  it('answers 405 with "Allow: POST" to other methods on the webhook path, and 404 to other paths', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const response = await exchange(receiver.url, { method, headers: signedHeaders(SECRET, '') });
      expect(response.status, method).toBe(405);
      expect(response.headers.allow, method).toBe('POST');
    }
    const base = receiver.url.replace(/\/zoom\/webhook$/, '');
    for (const other of [`${base}/`, `${base}/zoom/webhook/extra`, `${base}/zoom/webhooks`]) {
      const body = meetingStarted(uniqueEventTs());
      expect((await exchange(other, { body, headers: signedHeaders(SECRET, body) })).status, other).toBe(404);
    }
    // A query string does not change the path (some apps add one to tell subscriptions apart).
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    expect((await exchange(`${receiver.url}?subscription=2`, { body, headers: signedHeaders(SECRET, body) })).status).toBe(200);
    expect(await appliedCount(receiver.observeUrl, 'meeting.started', eventTs)).toBe(1);
  });

  it('accepts a body of exactly 4 MiB and answers 413 above it, declared or streamed', async () => {
    const eventTs = uniqueEventTs();
    const json = `{"event":"meeting.started","event_ts":${eventTs},"payload":{}}`;
    const fourMiB = Buffer.from(json.padEnd(4 * MiB, ' '));
    expect(fourMiB.length).toBe(4 * MiB);
    expect((await deliver(fourMiB)).status).toBe(200);
    expect(await appliedCount(receiver.observeUrl, 'meeting.started', eventTs)).toBe(1);

    // A keep-alive client: the receiver discards the rest of the upload instead of cutting the connection, so the
    // client reads the 413 even while still sending. (A client that asks for `connection: close` may see a reset.)
    const agent = new Agent({ keepAlive: true });
    try {
      for (const size of [4 * MiB + 1, 16 * MiB]) {
        const tooLarge = Buffer.from(json.replace(String(eventTs), String(eventTs + size)).padEnd(size, ' '));
        const declared = await exchange(receiver.url, { body: tooLarge, headers: signedHeaders(SECRET, tooLarge), agent });
        expect(declared.status, `declared ${size}`).toBe(413);
        expect(errorOf(declared.text)).toMatch(/larger than 4194304 bytes/);
        expect(await streamChunked(receiver.url, tooLarge, signedHeaders(SECRET, tooLarge), agent), `streamed ${size}`).toBe(413);
        expect(await appliedCount(receiver.observeUrl, 'meeting.started', eventTs + size)).toBe(0);
      }
    } finally {
      agent.destroy();
    }
  });

  it('serves the observer: 0 for an unknown delivery, 400 without an event, 405 to other methods', async () => {
    expect(await appliedCount(receiver.observeUrl, 'meeting.started', 1)).toBe(0);
    expect((await exchange(receiver.observeUrl, { method: 'GET' })).status).toBe(400);
    const post = await exchange(`${receiver.observeUrl}?event=meeting.started&event_ts=1`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });

  it('starts no server when imported as a module', () => {
    const script = `import(${JSON.stringify(COMPLIANT_SCRIPT)}).then((m) => console.log(typeof m.createZoomReceiver))`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: SECRET },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('function\n');
  });

  it('refuses to start without the secret token: one line on stderr, exit code 2', () => {
    const result = spawnSync(process.execPath, [COMPLIANT_SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: '' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ZOOM_WEBHOOK_SECRET_TOKEN is not set[^\n]*\n$/);
  });

  it('never prints the secret, and exits with code 0 on SIGTERM', async () => {
    await receiver.stop();
    expect(receiver.exitStatus()).toStrictEqual({ code: 0, signal: null });
    expect(receiver.output()).not.toContain(SECRET);
  });
});

/** Streams a body with chunked transfer encoding (no Content-Length) and resolves with the status received. */
function streamChunked(url: string, body: Buffer, headers: Record<string, string>, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    let offset = 0;
    const write = () => {
      while (offset < body.length) {
        const chunk = body.subarray(offset, offset + 64 * 1024);
        offset += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}
