/**
 * Zoom deliveries signed by hand in the tests, straight from Zoom's documented construction and independent of
 * the code under test: signature = `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`), challenge
 * answer = hex HMAC-SHA256(secret, plainToken).
 */
import { createHmac } from 'node:crypto';

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function hmacHex(secret: string, message: Buffer | string): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

export function signature(secret: string, timestamp: number | string, body: Buffer | string): string {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return `v0=${hmacHex(secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), bytes]))}`;
}

/** The headers of a delivery signed now (or at `timestamp`). */
export function signedHeaders(secret: string, body: Buffer | string, timestamp: number | string = nowSeconds()): Record<string, string> {
  return {
    'x-zm-request-timestamp': String(timestamp),
    'x-zm-signature': signature(secret, timestamp, body),
    'user-agent': 'Zoom Marketplace/1.0a',
  };
}

let sequence = 0;

/** A unique event_ts (ms), so that every test's delivery is its own for the observer and for dedupe. */
export function uniqueEventTs(): number {
  return Date.now() * 1000 + (sequence++ % 1000);
}

/** A compact `meeting.started` body that is valid against the bundled schema. */
export function meetingStarted(eventTs: number, object: Record<string, unknown> = {}): string {
  return JSON.stringify({
    event: 'meeting.started',
    event_ts: eventTs,
    payload: {
      account_id: 'AAAAAAAAAAAAAAAAAAAAAA',
      object: {
        id: '85123456789',
        uuid: `uuid-${eventTs}==`,
        host_id: 'z8yBXksgRE6PZdKvR7JxhQ',
        host_email: 'host@example.com',
        topic: 'Weekly sync',
        type: 2,
        start_time: '2026-11-22T10:00:00Z',
        timezone: 'Europe/Berlin',
        duration: 30,
        ...object,
      },
    },
  });
}

export function challengeBody(plainToken: string, eventTs = Date.now()): string {
  return JSON.stringify({ event: 'endpoint.url_validation', event_ts: eventTs, payload: { plainToken } });
}
