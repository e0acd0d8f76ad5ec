/**
 * The compiled faulty reference receivers (dist/examples/receivers/faulty.js), each run as a real process: every
 * variant really has its planted defect, and apart from it behaves like the compliant receiver.
 *
 * Two layers of proof: one request sequence per defect that exhibits it (the challenge forgery end to end, the
 * 503s of a burst, ...), and a matrix of compliance probes run against every receiver, in which each variant
 * fails exactly the probes its defect explains and passes all the others (the compliant receiver passes all).
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFECTS, type Defect } from '../examples/receivers/faulty.js';
import { loadBundledSpec } from '../specs/catalog.js';
import { SchemaValidator } from '../specs/schema-validator.js';
import { challengeBody, hmacHex, meetingStarted, nowSeconds, signature, signedHeaders, uniqueEventTs } from './support/hand-signed.js';
import { REPO_ROOT } from './support/paths.js';
import { appliedCount, exchange, FAULTY_SCRIPT, LISTENING_LINE, startReceiver, type Exchange, type RunningReceiver } from './support/receivers.js';

const SECRET = `secret-${randomBytes(12).toString('hex')}`;
const EXPECTED_DEFECTS = [
  'challenge-before-verify',
  'challenge-wrong-token',
  'skips-verification',
  'prefix-compare',
  'ignores-version',
  'no-freshness',
  'rejects-with-403',
  'reserializes-json',
  'slow-recording',
  'rejects-unknown-event',
  'validation-500',
  'crashes-on-bad-json',
  'any-method',
  'sheds-load',
  'no-dedupe',
  'applies-before-verify',
  'rejects-duplicates',
  'lifecycle-strict',
  'crashes-on-emoji',
  'crashes-on-big-ids',
  'racy-dedupe',
  'dedupes-by-event-ts',
  'applies-after-hangup',
  'forgets-quickly',
  'rejects-with-400',
  'body-limit-100kb',
  'crashes-on-newlines',
  'wrong-secret',
] as const satisfies readonly Defect[];

/** Several defects planted in one receiver, as real receivers have them. */
const THREE_DEFECTS = 'reserializes-json,no-freshness,body-limit-100kb';

type Variant = Defect | 'compliant' | typeof THREE_DEFECTS;
const VARIANTS: Variant[] = ['compliant', ...EXPECTED_DEFECTS, THREE_DEFECTS];
const receivers = new Map<Variant, RunningReceiver>();

function receiver(variant: Variant): RunningReceiver {
  const running = receivers.get(variant);
  if (!running) throw new Error(`receiver ${variant} is not running`);
  return running;
}

beforeAll(async () => {
  const started = await Promise.allSettled(
    VARIANTS.map(async (variant) => {
      receivers.set(variant, await startReceiver({ secret: SECRET, ...(variant === 'compliant' ? {} : { defect: variant }) }));
    }),
  );
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
});

afterAll(async () => {
  await Promise.all([...receivers.values()].map((running) => running.stop()));
});

// --- deliveries ------------------------------------------------------------------------------------------------

function deliver(to: RunningReceiver, body: Buffer | string, headers: Record<string, string> = signedHeaders(SECRET, body)): Promise<Exchange> {
  return exchange(to.url, { body, headers });
}

function count(to: RunningReceiver, event: string, eventTs: number): Promise<number> {
  return appliedCount(to.observeUrl, event, eventTs);
}

/** Writes a signed POST whole and closes the connection with its last byte, before any answer (Zoom at its deadline). */
function abandon(to: RunningReceiver, body: string, headers: Record<string, string>): Promise<void> {
  const url = new URL(to.url);
  const bytes = Buffer.from(body, 'utf8');
  const head = [`POST ${url.pathname} HTTP/1.1`, `host: ${url.host}`, 'content-type: application/json; charset=utf-8', `content-length: ${bytes.length}`]
    .concat(Object.entries(headers).map(([name, value]) => `${name}: ${value}`))
    .join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), bytes]), () => {
      socket.destroy();
      resolve();
    }));
    socket.once('error', reject);
  });
}

/** A `recording.completed` body valid against the bundled schema (checked below). */
function recordingCompleted(eventTs: number): string {
  return JSON.stringify({
    event: 'recording.completed',
    event_ts: eventTs,
    download_token: 'abJhbGciOiJIUzUxMiJ9',
    payload: {
      account_id: 'AAAAAAAAAAAAAAAAAAAAAA',
      object: {
        account_id: 'AAAAAAAAAAAAAAAAAAAAAA',
        duration: 30,
        host_email: 'host@example.com',
        host_id: 'z8yBXksgRE6PZdKvR7JxhQ',
        id: 85123456789,
        password: '',
        recording_count: 0,
        recording_files: [],
        share_url: 'https://example.zoom.us/rec/share/abc',
        start_time: '2026-11-22T10:00:00Z',
        topic: 'Weekly sync',
        total_size: 0,
        type: 2,
        uuid: `rec-${eventTs}==`,
      },
    },
  });
}

/** A `meeting.started` body of exactly `bytes` bytes (a long topic), valid against the bundled schema. */
function largeMeetingStarted(eventTs: number, bytes: number): string {
  const around = withTopic(eventTs, '""').length;
  const body = withTopic(eventTs, JSON.stringify('x'.repeat(Math.max(0, bytes - around))));
  if (Buffer.byteLength(body) !== bytes) throw new Error(`internal: a body of ${bytes} bytes was asked for`);
  return body;
}

function withTopic(eventTs: number, topicJsonText: string): string {
  return meetingStarted(eventTs).replace('"topic":"Weekly sync"', `"topic":${topicJsonText}`);
}

// --- the compliance probes -------------------------------------------------------------------------------------

/** A probe returns undefined when the receiver behaves as a compliant one, else what it did instead. */
type Probe = (to: RunningReceiver) => Promise<string | undefined>;

const expectStatus = (response: Exchange, status: number): string | undefined =>
  response.status === status ? undefined : `answered ${response.status} (${response.text.slice(0, 80)}), not ${status}`;

const PROBES: Record<string, { brokenBy: Exclude<Variant, 'compliant'>[]; probe: Probe }> = {
  'applies a valid delivery once with 200': {
    brokenBy: ['wrong-secret'],
    probe: async (to) => {
      const eventTs = uniqueEventTs();
      const problem = expectStatus(await deliver(to, meetingStarted(eventTs)), 200);
      const applied = await count(to, 'meeting.started', eventTs);
      return problem ?? (applied === 1 ? undefined : `applied ${applied} times`);
    },
  },
  'acknowledges a retry and a duplicate without applying again': {
    brokenBy: ['no-dedupe', 'rejects-duplicates', 'wrong-secret'],
    probe: async (to) => {
      const eventTs = uniqueEventTs();
      const body = meetingStarted(eventTs);
      const headers = signedHeaders(SECRET, body, nowSeconds() - 30);
      for (const attempt of [headers, headers, signedHeaders(SECRET, body)]) {
        const problem = expectStatus(await deliver(to, body, attempt), 200);
        if (problem) return problem;
      }
      const applied = await count(to, 'meeting.started', eventTs);
      return applied === 1 ? undefined : `applied ${applied} times`;
    },
  },
  'applies two copies of a fresh delivery sent at once exactly once, in each of 5 rounds': {
    brokenBy: ['no-dedupe', 'rejects-duplicates', 'racy-dedupe', 'wrong-secret'],
    probe: async (to) => {
      for (let round = 0; round < 5; round++) {
        const eventTs = uniqueEventTs();
        const body = meetingStarted(eventTs);
        const responses = await Promise.all([deliver(to, body), deliver(to, body)]);
        const problem = responses.map((response) => expectStatus(response, 200)).find(Boolean);
        if (problem) return problem;
        const applied = await count(to, 'meeting.started', eventTs);
        if (applied !== 1) return `round ${round + 1}: applied ${applied} times`;
      }
      return undefined;
    },
  },
  'applies two different deliveries that share event and event_ts, once each': {
    brokenBy: ['dedupes-by-event-ts', 'wrong-secret'],
    probe: async (to) => {
      const eventTs = uniqueEventTs();
      for (const uuid of ['first-meeting==', 'second-meeting==']) {
        const problem = expectStatus(await deliver(to, meetingStarted(eventTs, { uuid })), 200);
        if (problem) return problem;
      }
      const applied = await count(to, 'meeting.started', eventTs);
      return applied === 2 ? undefined : `applied ${applied} times in all`;
    },
  },
  'applies a delivery whose sender hung up, then its retry, once in all': {
    brokenBy: ['no-dedupe', 'rejects-duplicates', 'applies-after-hangup', 'wrong-secret'],
    probe: async (to) => {
      const eventTs = uniqueEventTs();
      const body = meetingStarted(eventTs);
      await abandon(to, body, signedHeaders(SECRET, body));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const problem = expectStatus(await deliver(to, body), 200);
      const applied = await count(to, 'meeting.started', eventTs);
      return problem ?? (applied === 1 ? undefined : `applied ${applied} times`);
    },
  },
  'does not apply a retry again 2 s after the first delivery': {
    brokenBy: ['no-dedupe', 'rejects-duplicates', 'forgets-quickly', 'wrong-secret'],
    probe: async (to) => {
      const eventTs = uniqueEventTs();
      const body = meetingStarted(eventTs);
      const problem = expectStatus(await deliver(to, body), 200);
      if (problem) return problem;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const retried = expectStatus(await deliver(to, body), 200);
      const applied = await count(to, 'meeting.started', eventTs);
      return retried ?? (applied === 1 ? undefined : `applied ${applied} times`);
    },
  },
  'rejects a forged signature with 401, applying nothing': {
    brokenBy: ['skips-verification', 'applies-before-verify', 'rejects-with-403', 'rejects-with-400'],
    probe: async (to) => {
      const eventTs = uniqueEventTs();
      const body = meetingStarted(eventTs);
      const problem = expectStatus(await deliver(to, body, signedHeaders('not-the-secret', body)), 401);
      const applied = await count(to, 'meeting.started', eventTs);
      return problem ?? (applied === 0 ? undefined : `applied ${applied} times`);
    },
  },
  'rejects a stale and a far-future timestamp with 401': {
    brokenBy: ['skips-verification', 'no-freshness', 'rejects-with-403', 'rejects-with-400', THREE_DEFECTS],
    probe: async (to) => {
      for (const offset of [-3600, 3600]) {
        const body = meetingStarted(uniqueEventTs());
        const problem = expectStatus(await deliver(to, body, signedHeaders(SECRET, body, nowSeconds() + offset)), 401);
        if (problem) return `offset ${offset}: ${problem}`;
      }
      return undefined;
    },
  },
  'rejects the signature "v0=" with 401': {
    brokenBy: ['skips-verification', 'prefix-compare', 'rejects-with-403', 'rejects-with-400'],
    probe: async (to) => {
      const body = meetingStarted(uniqueEventTs());
      return expectStatus(await deliver(to, body, { 'x-zm-request-timestamp': String(nowSeconds()), 'x-zm-signature': 'v0=' }), 401);
    },
  },
  'rejects "v1=" with the right hex with 401': {
    brokenBy: ['skips-verification', 'ignores-version', 'rejects-with-403', 'rejects-with-400'],
    probe: async (to) => {
      const body = meetingStarted(uniqueEventTs());
      const headers = signedHeaders(SECRET, body);
      return expectStatus(await deliver(to, body, { ...headers, 'x-zm-signature': headers['x-zm-signature']!.replace(/^v0=/, 'v1=') }), 401);
    },
  },
  'answers a signed challenge with the lowercase hex token': {
    brokenBy: ['challenge-wrong-token', 'wrong-secret'],
    probe: async (to) => {
      const plainToken = randomBytes(16).toString('base64url');
      const response = await deliver(to, challengeBody(plainToken));
      const problem = expectStatus(response, 200);
      if (problem) return problem;
      const answer = JSON.parse(response.text) as unknown;
      const expected = { plainToken, encryptedToken: hmacHex(SECRET, plainToken) };
      return JSON.stringify(answer) === JSON.stringify(expected) ? undefined : `answered ${response.text}`;
    },
  },
  'refuses an unsigned challenge with 401': {
    brokenBy: ['skips-verification', 'challenge-before-verify', 'rejects-with-403', 'rejects-with-400'],
    probe: async (to) => expectStatus(await deliver(to, challengeBody(randomBytes(8).toString('hex')), {}), 401),
  },
  'answers 405 to GET on the webhook path': {
    brokenBy: ['any-method'],
    probe: async (to) => expectStatus(await exchange(to.url, { method: 'GET' }), 405),
  },
  'answers 400 to a signed body that is not JSON': {
    brokenBy: ['crashes-on-bad-json', 'wrong-secret'],
    probe: async (to) => expectStatus(await deliver(to, 'event=meeting.started'), 400),
  },
  'accepts a body with extra whitespace, signed over its raw bytes': {
    brokenBy: ['reserializes-json', 'crashes-on-newlines', 'wrong-secret', THREE_DEFECTS],
    probe: async (to) => expectStatus(await deliver(to, `${meetingStarted(uniqueEventTs()).replace(/,"/g, ', "')}\n`), 200),
  },
  'acknowledges and applies an event type it does not know': {
    brokenBy: ['rejects-unknown-event', 'wrong-secret'],
    probe: async (to) => {
      const eventTs = uniqueEventTs();
      const problem = expectStatus(await deliver(to, JSON.stringify({ event: 'zoom.brand_new_event', event_ts: eventTs, payload: {} })), 200);
      const applied = await count(to, 'zoom.brand_new_event', eventTs);
      return problem ?? (applied === 1 ? undefined : `applied ${applied} times`);
    },
  },
  'does not answer 5xx to a body that breaks its event schema': {
    brokenBy: ['validation-500'],
    probe: async (to) => {
      const response = await deliver(to, JSON.stringify({ event: 'meeting.started', event_ts: uniqueEventTs(), payload: { object: { type: 'two' } } }));
      return response.status < 500 ? undefined : `answered ${response.status}`;
    },
  },
  'acknowledges an older event for the same meeting (out-of-order delivery)': {
    brokenBy: ['lifecycle-strict', 'wrong-secret'],
    probe: async (to) => {
      const uuid = `ooo-${randomBytes(6).toString('hex')}==`;
      const eventTs = uniqueEventTs();
      const problem = expectStatus(await deliver(to, meetingStarted(eventTs + 500, { uuid })), 200);
      return problem ?? expectStatus(await deliver(to, meetingStarted(eventTs, { uuid })), 200);
    },
  },
  'acknowledges an emoji in a topic': {
    brokenBy: ['crashes-on-emoji', 'wrong-secret'],
    probe: async (to) => expectStatus(await deliver(to, withTopic(uniqueEventTs(), '"Launch 🚀 party"')), 200),
  },
  'acknowledges an integer above 2^53': {
    // Re-serializing rounds the integer, so the signature over the re-serialized text no longer matches.
    brokenBy: ['crashes-on-big-ids', 'reserializes-json', 'wrong-secret', THREE_DEFECTS],
    probe: async (to) => expectStatus(await deliver(to, meetingStarted(uniqueEventTs()).replace('"duration":30', '"duration":9007199254740993')), 200),
  },
  'acknowledges recording.completed within 3 seconds': {
    brokenBy: ['slow-recording', 'wrong-secret'],
    probe: async (to) => {
      const response = await deliver(to, recordingCompleted(uniqueEventTs()));
      return expectStatus(response, 200) ?? (response.ms < 3000 ? undefined : `took ${Math.round(response.ms)} ms`);
    },
  },
  'acknowledges a 200 KB delivery': {
    brokenBy: ['body-limit-100kb', 'wrong-secret', THREE_DEFECTS],
    probe: async (to) => expectStatus(await deliver(to, largeMeetingStarted(uniqueEventTs(), 200 * 1024)), 200),
  },
  'acknowledges a burst of 20 concurrent deliveries with 200': {
    brokenBy: ['sheds-load', 'wrong-secret'],
    probe: async (to) => {
      const responses = await Promise.all(Array.from({ length: 20 }, () => deliver(to, meetingStarted(uniqueEventTs()))));
      const statuses = responses.map((response) => response.status).filter((status) => status !== 200);
      return statuses.length === 0 ? undefined : `answered ${statuses.join(', ')}`;
    },
  },
};

// --- the tests -------------------------------------------------------------------------------------------------

describe('the faulty receivers', () => {
  it(`are exactly the ${EXPECTED_DEFECTS.length} named defects, each listed by --list with its description`, () => {
    expect(Object.keys(DEFECTS)).toStrictEqual([...EXPECTED_DEFECTS]);
    const result = spawnSync(process.execPath, [FAULTY_SCRIPT, '--list'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 15_000 });
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(EXPECTED_DEFECTS.length);
    for (const [index, [name, description]] of Object.entries(DEFECTS).entries()) {
      expect(lines[index]).toMatch(new RegExp(`^${name} +${description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
  });

  it('refuses an unknown or missing --defect with one line and exit code 2', () => {
    for (const args of [['--defect', 'typo'], []]) {
      const result = spawnSync(process.execPath, [FAULTY_SCRIPT, ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: SECRET },
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^--defect must be one of: challenge-before-verify, [^\n]+\n$/);
    }
  });

  it('refuses a defect named twice, or an unknown one among several, with one line and exit code 2', () => {
    for (const [list, message] of [
      ['no-freshness,no-freshness', /^--defect names no-freshness twice\n$/],
      ['no-freshness,typo', /^--defect must be one of: [^\n]+ \(got "no-freshness,typo"\)\n$/],
    ] as const) {
      const result = spawnSync(process.execPath, [FAULTY_SCRIPT, '--defect', list], {
        cwd: REPO_ROOT,
        env: { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: SECRET },
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });

  it('each print one listening line naming their defect, in the compliant line\'s form', () => {
    for (const variant of VARIANTS) {
      const match = receiver(variant).stdout().match(LISTENING_LINE);
      expect(match, variant).not.toBeNull();
      expect(match![2], variant).toBe(variant === 'compliant' ? undefined : variant);
      expect(receiver(variant).stdout().split('\n'), variant).toHaveLength(2);
    }
  });

  it('the recording.completed probe body is valid against the bundled schema (so only slowness can fail it)', () => {
    const schema = loadBundledSpec('meetings').events.find((event) => event.name === 'recording.completed')!.body.schema;
    expect(new SchemaValidator().validate(schema, JSON.parse(recordingCompleted(1)))).toStrictEqual([]);
    const started = loadBundledSpec('meetings').events.find((event) => event.name === 'meeting.started')!.body.schema;
    expect(new SchemaValidator().validate(started, JSON.parse(meetingStarted(1)))).toStrictEqual([]);
  });
});

describe.concurrent('each defect is really there', () => {
  it('challenge-before-verify: an unsigned challenge signs a forged delivery, which is then applied', async ({ expect }) => {
    const to = receiver('challenge-before-verify');
    const eventTs = uniqueEventTs();
    const forged = JSON.stringify({ event: 'meeting.deleted', event_ts: eventTs, payload: { object: { id: '1' } } });
    const timestamp = nowSeconds();
    const answer = await deliver(to, challengeBody(`v0:${timestamp}:${forged}`), {});
    expect(answer.status).toBe(200);
    const { encryptedToken } = JSON.parse(answer.text) as { encryptedToken: string };
    const attack = await deliver(to, forged, { 'x-zm-request-timestamp': String(timestamp), 'x-zm-signature': `v0=${encryptedToken}` });
    expect(attack.status).toBe(200);
    expect(await count(to, 'meeting.deleted', eventTs)).toBe(1);
    // The compliant receiver refuses the unsigned challenge.
    expect((await deliver(receiver('compliant'), challengeBody(`v0:${timestamp}:${forged}`), {})).status).toBe(401);
  });

  it('challenge-wrong-token: encryptedToken is the base64 digest', async ({ expect }) => {
    const plainToken = 'qgg8vlvZRS6UYooatFL8Aw';
    const response = await deliver(receiver('challenge-wrong-token'), challengeBody(plainToken));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toStrictEqual({ plainToken, encryptedToken: createHmac('sha256', SECRET).update(plainToken).digest('base64') });
  });

  it('skips-verification: an unsigned delivery is applied', async ({ expect }) => {
    const to = receiver('skips-verification');
    const eventTs = uniqueEventTs();
    expect((await deliver(to, meetingStarted(eventTs), {})).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(1);
  });

  it('prefix-compare: "v0=" and a truncated signature pass; a missing or wrong one does not', async ({ expect }) => {
    const to = receiver('prefix-compare');
    for (const cut of [3, 20]) {
      const eventTs = uniqueEventTs();
      const body = meetingStarted(eventTs);
      const timestamp = nowSeconds();
      const headers = { 'x-zm-request-timestamp': String(timestamp), 'x-zm-signature': signature(SECRET, timestamp, body).slice(0, cut) };
      expect((await deliver(to, body, headers)).status, `cut ${cut}`).toBe(200);
      expect(await count(to, 'meeting.started', eventTs)).toBe(1);
    }
    const body = meetingStarted(uniqueEventTs());
    expect((await deliver(to, body, { 'x-zm-request-timestamp': String(nowSeconds()) })).status).toBe(401);
    expect((await deliver(to, body, signedHeaders('not-the-secret', body))).status).toBe(401);
  });

  it('ignores-version: "v1=<right hex>" passes, "v1=<wrong hex>" does not', async ({ expect }) => {
    const to = receiver('ignores-version');
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    const headers = signedHeaders(SECRET, body);
    expect((await deliver(to, body, { ...headers, 'x-zm-signature': headers['x-zm-signature']!.replace('v0=', 'v1=') })).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(1);
    const wrong = signedHeaders('not-the-secret', body)['x-zm-signature']!.replace('v0=', 'v1=');
    expect((await deliver(to, meetingStarted(uniqueEventTs()), { ...headers, 'x-zm-signature': wrong })).status).toBe(401);
  });

  it('no-freshness: correctly signed deliveries a day old or a day ahead are applied', async ({ expect }) => {
    const to = receiver('no-freshness');
    for (const offset of [-86_400, 86_400]) {
      const eventTs = uniqueEventTs();
      const body = meetingStarted(eventTs);
      expect((await deliver(to, body, signedHeaders(SECRET, body, nowSeconds() + offset))).status, `offset ${offset}`).toBe(200);
      expect(await count(to, 'meeting.started', eventTs)).toBe(1);
    }
  });

  it('rejects-with-403: a forged delivery is refused with 403 and not applied; a valid one still gets 200', async ({ expect }) => {
    const to = receiver('rejects-with-403');
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    expect((await deliver(to, body, signedHeaders('not-the-secret', body))).status).toBe(403);
    expect(await count(to, 'meeting.started', eventTs)).toBe(0);
    expect((await deliver(to, body)).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(1);
  });

  it('reserializes-json: rejects raw-signed whitespace, accepts a signature over JSON.stringify, 400 for non-JSON', async ({ expect }) => {
    const to = receiver('reserializes-json');
    const eventTs = uniqueEventTs();
    const spaced = `{ "event": "meeting.started", "event_ts": ${eventTs}, "payload": {} }`;
    expect((await deliver(to, spaced)).status).toBe(401);
    expect(await count(to, 'meeting.started', eventTs)).toBe(0);
    const reserialized = JSON.stringify(JSON.parse(spaced));
    expect((await deliver(to, spaced, signedHeaders(SECRET, reserialized))).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(1);
    expect((await deliver(to, 'not json', {})).status).toBe(400);
  });

  it('slow-recording: recording.completed is answered after 3.5 s, other events at once', async ({ expect }) => {
    const to = receiver('slow-recording');
    const [slow, fast] = await Promise.all([deliver(to, recordingCompleted(uniqueEventTs())), deliver(to, meetingStarted(uniqueEventTs()))]);
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(3400);
    expect(fast.status).toBe(200);
    expect(fast.ms).toBeLessThan(1000);
  });

  it('rejects-unknown-event: 400 to an event not in the bundled specs; events of all four specs and the challenge pass', async ({ expect }) => {
    const to = receiver('rejects-unknown-event');
    const eventTs = uniqueEventTs();
    expect((await deliver(to, JSON.stringify({ event: 'zoom.brand_new_event', event_ts: eventTs, payload: {} }))).status).toBe(400);
    expect(await count(to, 'zoom.brand_new_event', eventTs)).toBe(0);
    for (const event of ['meeting.started', 'session.started', 'meeting.rtms_started']) {
      expect((await deliver(to, JSON.stringify({ event, event_ts: uniqueEventTs(), payload: {} }))).status, event).toBe(200);
    }
    expect((await deliver(to, challengeBody('token'))).status).toBe(200);
  });

  it('validation-500: 500 to a schema-invalid known event; valid, unknown and non-JSON bodies as usual', async ({ expect }) => {
    const to = receiver('validation-500');
    const invalidTs = uniqueEventTs();
    expect((await deliver(to, JSON.stringify({ event: 'meeting.started', event_ts: invalidTs, payload: {} }))).status).toBe(500);
    expect(await count(to, 'meeting.started', invalidTs)).toBe(0);
    expect((await deliver(to, meetingStarted(uniqueEventTs()))).status).toBe(200);
    expect((await deliver(to, JSON.stringify({ event: 'zoom.brand_new_event', event_ts: uniqueEventTs(), payload: 'anything' }))).status).toBe(200);
    expect((await deliver(to, 'not json')).status).toBe(400);
  });

  it('crashes-on-bad-json: 500 to a signed body that is not JSON (401 when unsigned, 400 for JSON that is no event)', async ({ expect }) => {
    const to = receiver('crashes-on-bad-json');
    expect((await deliver(to, '{"event":"meeting.started",')).status).toBe(500);
    expect((await deliver(to, '{"event":"meeting.started",', {})).status).toBe(401);
    expect((await deliver(to, '[1,2]')).status).toBe(400);
  });

  it('any-method: GET, PUT, DELETE and PATCH on the webhook path get 200; POST still verifies', async ({ expect }) => {
    const to = receiver('any-method');
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) expect((await exchange(to.url, { method })).status, method).toBe(200);
    expect((await deliver(to, meetingStarted(uniqueEventTs()), {})).status).toBe(401);
    expect((await exchange(to.url.replace('/zoom/webhook', '/other'), { method: 'GET' })).status).toBe(404);
  });

  it('sheds-load: a burst of 50 concurrent deliveries gets 503s (the compliant receiver acknowledges all 50)', async ({ expect }) => {
    const burst = (to: RunningReceiver) => Promise.all(Array.from({ length: 50 }, () => deliver(to, meetingStarted(uniqueEventTs()))));
    // Its own sheds-load receiver: the shared one is probed concurrently by the matrix below, which a burst would overload.
    const own = await startReceiver({ secret: SECRET, defect: 'sheds-load' });
    const [faulty, compliant] = await Promise.all([burst(own), burst(receiver('compliant'))]).finally(() => own.stop());
    const statuses = faulty.map((response) => response.status);
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    expect(compliant.map((response) => response.status)).toStrictEqual(Array(50).fill(200));
  });

  it('no-dedupe: a delivery, its duplicate and its retry are applied three times', async ({ expect }) => {
    const to = receiver('no-dedupe');
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    const headers = signedHeaders(SECRET, body);
    for (const attempt of [headers, headers, signedHeaders(SECRET, body, nowSeconds() + 1)]) expect((await deliver(to, body, attempt)).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(3);
  });

  it('applies-before-verify: a forged delivery is answered 401 but applied; a valid one is applied once', async ({ expect }) => {
    const to = receiver('applies-before-verify');
    const forgedTs = uniqueEventTs();
    const forged = meetingStarted(forgedTs);
    expect((await deliver(to, forged, signedHeaders('not-the-secret', forged))).status).toBe(401);
    expect(await count(to, 'meeting.started', forgedTs)).toBe(1);
    const validTs = uniqueEventTs();
    expect((await deliver(to, meetingStarted(validTs))).status).toBe(200);
    expect(await count(to, 'meeting.started', validTs)).toBe(1);
  });

  it('rejects-duplicates: the duplicate and the retry get 409; applied once', async ({ expect }) => {
    const to = receiver('rejects-duplicates');
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    const headers = signedHeaders(SECRET, body);
    expect((await deliver(to, body, headers)).status).toBe(200);
    expect((await deliver(to, body, headers)).status).toBe(409);
    expect((await deliver(to, body, signedHeaders(SECRET, body, nowSeconds() + 1))).status).toBe(409);
    expect(await count(to, 'meeting.started', eventTs)).toBe(1);
  });

  it('lifecycle-strict: 409 to meeting.started after a later meeting.ended of the same meeting; other meetings unaffected', async ({ expect }) => {
    const to = receiver('lifecycle-strict');
    const uuid = `strict-${randomBytes(6).toString('hex')}==`;
    const startedTs = uniqueEventTs();
    const ended = meetingStarted(startedTs + 500, { uuid }).replace('meeting.started', 'meeting.ended');
    expect((await deliver(to, ended)).status).toBe(200);
    expect((await deliver(to, meetingStarted(startedTs, { uuid }))).status).toBe(409);
    expect(await count(to, 'meeting.started', startedTs)).toBe(0);
    const otherTs = uniqueEventTs();
    expect((await deliver(to, meetingStarted(otherTs - 10_000, { uuid: `other-${uuid}` }))).status).toBe(200);
    // Session events are keyed by session_id.
    const sessionId = `session-${randomBytes(6).toString('hex')}`;
    const session = (event: string, ts: number) => JSON.stringify({ event, event_ts: ts, payload: { object: { session_id: sessionId } } });
    expect((await deliver(to, session('session.ended', otherTs + 1000))).status).toBe(200);
    expect((await deliver(to, session('session.started', otherTs))).status).toBe(409);
  });

  it('crashes-on-emoji: 500 to an emoji, raw or \\u-escaped; characters of the BMP pass', async ({ expect }) => {
    const to = receiver('crashes-on-emoji');
    expect((await deliver(to, withTopic(uniqueEventTs(), '"Launch 🚀 party"'))).status).toBe(500);
    expect((await deliver(to, withTopic(uniqueEventTs(), '"Launch \\ud83d\\ude80 party"'))).status).toBe(500);
    expect((await deliver(to, withTopic(uniqueEventTs(), '"été 日本語 ✓"'))).status).toBe(200);
  });

  it('racy-dedupe: two copies of a fresh delivery released at the same instant are both applied', async ({ expect }) => {
    const to = receiver('racy-dedupe');
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    expect((await Promise.all([deliver(to, body), deliver(to, body)])).map((response) => response.status)).toStrictEqual([200, 200]);
    expect(await count(to, 'meeting.started', eventTs)).toBe(2);
    // One after the other, the second copy is seen.
    const laterTs = uniqueEventTs();
    for (let copy = 0; copy < 2; copy++) expect((await deliver(to, meetingStarted(laterTs))).status).toBe(200);
    expect(await count(to, 'meeting.started', laterTs)).toBe(1);
  });

  it('dedupes-by-event-ts: a different delivery with the same event and event_ts is acknowledged but not applied', async ({ expect }) => {
    const to = receiver('dedupes-by-event-ts');
    const eventTs = uniqueEventTs();
    expect((await deliver(to, meetingStarted(eventTs, { uuid: 'one==' }))).status).toBe(200);
    expect((await deliver(to, meetingStarted(eventTs, { uuid: 'two==' }))).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(1);
  });

  it('applies-after-hangup: a delivery whose sender hung up is applied, and its retry applied again', async ({ expect }) => {
    const to = receiver('applies-after-hangup');
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    await abandon(to, body, signedHeaders(SECRET, body));
    await expect.poll(() => count(to, 'meeting.started', eventTs)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await deliver(to, body)).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(2);
    // Answered normally, a retry is seen.
    const otherTs = uniqueEventTs();
    for (let attempt = 0; attempt < 2; attempt++) expect((await deliver(to, meetingStarted(otherTs))).status).toBe(200);
    expect(await count(to, 'meeting.started', otherTs)).toBe(1);
  });

  it('forgets-quickly: a retry soon after is seen, one 1.5 s after it last saw the delivery is applied again', async ({ expect }) => {
    const to = receiver('forgets-quickly');
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    expect((await deliver(to, body)).status).toBe(200);
    expect((await deliver(to, body)).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await deliver(to, body)).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(2);
  });

  it('rejects-with-400: a forged delivery is refused with 400 and not applied; a valid one still gets 200', async ({ expect }) => {
    const to = receiver('rejects-with-400');
    const eventTs = uniqueEventTs();
    const body = meetingStarted(eventTs);
    expect((await deliver(to, body, signedHeaders('not-the-secret', body))).status).toBe(400);
    expect(await count(to, 'meeting.started', eventTs)).toBe(0);
    expect((await deliver(to, body)).status).toBe(200);
    expect(await count(to, 'meeting.started', eventTs)).toBe(1);
  });

  it('body-limit-100kb: 413 to a body above 100 KB, 200 to one just below; the compliant receiver takes 1 MB', async ({ expect }) => {
    const to = receiver('body-limit-100kb');
    const over = uniqueEventTs();
    expect((await deliver(to, largeMeetingStarted(over, 100 * 1024 + 1))).status).toBe(413);
    expect(await count(to, 'meeting.started', over)).toBe(0);
    const under = uniqueEventTs();
    expect((await deliver(to, largeMeetingStarted(under, 100 * 1024 - 200))).status).toBe(200);
    expect(await count(to, 'meeting.started', under)).toBe(1);
    expect((await deliver(receiver('compliant'), largeMeetingStarted(uniqueEventTs(), 1024 * 1024))).status).toBe(200);
  });

  it('crashes-on-newlines: 500 to a verified body with a line break between tokens; 401 when unsigned; 200 without one', async ({ expect }) => {
    const to = receiver('crashes-on-newlines');
    const eventTs = uniqueEventTs();
    const spaced = meetingStarted(eventTs).replace(',"payload"', ',\n"payload"');
    expect((await deliver(to, spaced)).status).toBe(500);
    expect(await count(to, 'meeting.started', eventTs)).toBe(0);
    expect((await deliver(to, spaced, {})).status).toBe(401);
    // An escaped newline inside a string is no line break of the body.
    expect((await deliver(to, withTopic(uniqueEventTs(), '"two\\nlines"'))).status).toBe(200);
    expect((await deliver(to, meetingStarted(uniqueEventTs()).replace(/,"/g, ', "'))).status).toBe(200);
  });

  it('wrong-secret: a delivery signed with the secret is refused with 401 and not applied, the challenge too', async ({ expect }) => {
    const to = receiver('wrong-secret');
    const eventTs = uniqueEventTs();
    expect((await deliver(to, meetingStarted(eventTs))).status).toBe(401);
    expect(await count(to, 'meeting.started', eventTs)).toBe(0);
    expect((await deliver(to, challengeBody('token'))).status).toBe(401);
  });

  it(`several defects at once (${THREE_DEFECTS}): each is there, and the rest is compliant`, async ({ expect }) => {
    const to = receiver(THREE_DEFECTS);
    expect(receiver(THREE_DEFECTS).stdout()).toContain(`Zoom receiver (defect: ${THREE_DEFECTS}) listening on`);
    // Re-serializes: a raw-signed body with whitespace is refused.
    expect((await deliver(to, meetingStarted(uniqueEventTs()).replace(/,"/g, ', "'))).status).toBe(401);
    // No freshness window: a day-old timestamp passes.
    const body = meetingStarted(uniqueEventTs());
    expect((await deliver(to, body, signedHeaders(SECRET, body, nowSeconds() - 86_400))).status).toBe(200);
    // A 100 KB body limit.
    expect((await deliver(to, largeMeetingStarted(uniqueEventTs(), 150 * 1024))).status).toBe(413);
    // Still verifies: a wrong secret is refused with 401.
    const forged = meetingStarted(uniqueEventTs());
    expect((await deliver(to, forged, signedHeaders('not-the-secret', forged))).status).toBe(401);
  });

  it('crashes-on-big-ids: 500 to an integer above 2^53-1; the same digits as a string, and 2^53-1 itself, pass', async ({ expect }) => {
    const to = receiver('crashes-on-big-ids');
    const withId = (idJsonText: string) => meetingStarted(uniqueEventTs()).replace('"id":"85123456789"', `"id":${idJsonText}`);
    expect((await deliver(to, withId('9007199254740993'))).status).toBe(500);
    expect((await deliver(to, withId('-9223372036854775807'))).status).toBe(500);
    expect((await deliver(to, withId('"9007199254740993"'))).status).toBe(200);
    expect((await deliver(to, withId('9007199254740991'))).status).toBe(200);
  });
});

describe.concurrent('apart from its defect, each receiver behaves like the compliant one', () => {
  for (const variant of VARIANTS) {
    const expectedFailures = Object.entries(PROBES)
      .filter(([, { brokenBy }]) => variant !== 'compliant' && brokenBy.includes(variant))
      .map(([name]) => name);
    const title = variant === 'compliant' ? 'compliant: passes every probe' : `${variant}: fails only ${expectedFailures.map((name) => `"${name}"`).join(', ')}`;
    it(title, async ({ expect }) => {
      const to = receiver(variant);
      // One probe at a time: concurrent probes would overload sheds-load and blur what each probe shows.
      const failures: Record<string, string> = {};
      for (const [name, { probe }] of Object.entries(PROBES)) {
        const problem = await probe(to);
        if (problem !== undefined) failures[name] = problem;
      }
      expect(Object.keys(failures).sort(), JSON.stringify(failures, null, 2)).toStrictEqual([...expectedFailures].sort());
    });
  }
});

describe('after the run', () => {
  it('no receiver printed the secret, and each exits with code 0 on SIGTERM', async () => {
    await Promise.all([...receivers.values()].map((running) => running.stop()));
    for (const [variant, running] of receivers) {
      expect(running.exitStatus(), variant).toStrictEqual({ code: 0, signal: null });
      expect(running.output(), variant).not.toContain(SECRET);
    }
  });
});
