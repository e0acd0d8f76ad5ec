/**
 * The Zoom profile: how Zoom signs, addresses and validates webhook deliveries, and what it counts as success.
 * Plain data in, plain data out; it knows nothing of HTTP clients (the engine sends what this builds).
 *
 * Facts (Zoom's "Using webhooks" documentation, its sample receiver and its Rivet SDK):
 * - a delivery is a POST whose body is `{"event", "payload", "event_ts"}`, sent with
 *   `content-type: application/json; charset=utf-8` and `user-agent: Zoom Marketplace/1.0a`;
 * - `x-zm-request-timestamp` is unix seconds; `x-zm-signature` is `v0=` + lowercase hex
 *   HMAC-SHA256(secret token, `v0:{timestamp}:{raw body bytes}`);
 * - success is 200 or 204 within 3 seconds; anything else (or nothing) is a failure Zoom retries or counts;
 * - endpoint URL validation: a signed `endpoint.url_validation` delivery with `payload.plainToken`, answered 200
 *   with `{"plainToken", "encryptedToken"}`, encryptedToken = lowercase hex HMAC-SHA256(secret token, plainToken).
 */
import { createHmac, randomUUID } from 'node:crypto';

export const ZOOM = {
  /** Zoom waits this long for an answer. */
  deadlineMs: 3000,
  /** The statuses Zoom counts as acknowledged. */
  acknowledgedStatuses: [200, 204] as readonly number[],
  /** A common freshness window for signed timestamps (Zoom names none; Stripe and Standard Webhooks use 5 minutes). */
  toleranceSeconds: 300,
  challengeEvent: 'endpoint.url_validation',
  contentType: 'application/json; charset=utf-8',
  userAgent: 'Zoom Marketplace/1.0a',
  signatureHeader: 'x-zm-signature',
  timestampHeader: 'x-zm-request-timestamp',
} as const;

/** Extra authentication a Zoom app can configure for its endpoint; every delivery still carries x-zm-signature. */
export interface EndpointAuth {
  /** `authorization: Basic base64(user:password)` */
  basic?: { user: string; password: string };
  /** `authorization: Bearer <token>` (the OAuth token mode, token obtained beforehand). */
  bearer?: string;
  /** Custom headers (`x-name: value`). */
  headers?: readonly (readonly [string, string])[];
}

/** `v0=` + lowercase hex HMAC-SHA256(secret, `v0:{timestamp}:{body}`), over the exact bytes (a string: its UTF-8 bytes). */
export function zoomSignature(secret: string, timestamp: string | number, body: Buffer | string): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`v0:${timestamp}:`, 'utf8');
  hmac.update(body);
  return `v0=${hmac.digest('hex')}`;
}

/** The encryptedToken Zoom expects for a plainToken: lowercase hex HMAC-SHA256(secret, plainToken). */
export function challengeToken(secret: string, plainToken: string): string {
  return createHmac('sha256', secret).update(plainToken, 'utf8').digest('hex');
}

/** Whether Zoom counts the status as acknowledged. */
export function isAcknowledged(status: number | undefined): boolean {
  return status !== undefined && ZOOM.acknowledgedStatuses.includes(status);
}

/** Unix seconds, as Zoom writes them in x-zm-request-timestamp. */
export function nowSeconds(now = Date.now()): number {
  return Math.floor(now / 1000);
}

export interface SignedHeadersOptions {
  secret: string;
  body: Buffer;
  /** Unix seconds; default now. */
  timestamp?: number;
  auth?: EndpointAuth;
}

/** The headers of a genuine Zoom delivery of `body`, signed with `secret` at `timestamp`. */
export function deliveryHeaders(options: SignedHeadersOptions): Record<string, string> {
  return signedHeaders({ kind: 'valid' }, options);
}

/** Zoom's headers without timestamp and signature: content type, user agent, request and tracking ids, auth. */
export function baseHeaders(auth: EndpointAuth | undefined): Record<string, string> {
  // randomUUID draws from a cached entropy pool: two per request instead of three randomBytes calls.
  const request = randomUUID();
  const trace = randomUUID().replace(/-/g, '');
  const headers: Record<string, string> = {
    'content-type': ZOOM.contentType,
    'user-agent': ZOOM.userAgent,
    'x-zm-request-id': request.replace(/-/g, '_'),
    'x-zm-trackingid': `v=2.0;clid=us05;rid=WEBHOOK_${trace}`,
    traceparent: `00-${trace}-${request.replace(/-/g, '').slice(0, 16)}-01`,
  };
  if (auth?.basic) headers.authorization = `Basic ${Buffer.from(`${auth.basic.user}:${auth.basic.password}`, 'utf8').toString('base64')}`;
  if (auth?.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  for (const [name, value] of auth?.headers ?? []) headers[name.toLowerCase()] = value;
  return headers;
}

/** Header names whose values are the user's credentials: reports show them redacted. */
export function credentialHeaderNames(auth: EndpointAuth | undefined): string[] {
  const names: string[] = [];
  if (auth?.basic || auth?.bearer) names.push('authorization');
  for (const [name] of auth?.headers ?? []) names.push(name.toLowerCase());
  return names;
}

/** The body of an endpoint URL validation challenge, in the key order Zoom writes it. */
export function challengeBody(plainToken: string, eventTs: number): Buffer {
  return Buffer.from(JSON.stringify({ payload: { plainToken }, event_ts: eventTs, event: ZOOM.challengeEvent }), 'utf8');
}

export type ChallengeAnswer =
  | { ok: true }
  | { ok: false; problem: string; encryptedToken?: string };

/**
 * Judges a receiver's answer to a challenge: status 200, a JSON object whose plainToken is the one sent and whose
 * encryptedToken is the expected one (`challengeToken(secret, plainToken)`). Other properties are tolerated.
 */
export function judgeChallengeAnswer(status: number | undefined, body: Buffer | undefined, plainToken: string, expectedToken: string): ChallengeAnswer {
  if (status !== 200) return { ok: false, problem: status === undefined ? 'no answer' : `status ${status}, Zoom requires 200` };
  const parsed = parseObject(body);
  if (!parsed) return { ok: false, problem: 'the answer is not a JSON object' };
  const encryptedToken = typeof parsed.encryptedToken === 'string' ? parsed.encryptedToken : undefined;
  if (parsed.plainToken !== plainToken) return { ok: false, problem: 'plainToken in the answer is not the one sent', ...(encryptedToken ? { encryptedToken } : {}) };
  if (encryptedToken === undefined) return { ok: false, problem: 'the answer has no string encryptedToken' };
  if (encryptedToken !== expectedToken) {
    return { ok: false, problem: 'encryptedToken is not the lowercase hex HMAC-SHA256 of plainToken with the secret token', encryptedToken };
  }
  return { ok: true };
}

/** The encryptedToken of an answer, whatever else is wrong with it. */
export function answeredToken(body: Buffer | undefined): string | undefined {
  const parsed = parseObject(body);
  return parsed && typeof parsed.encryptedToken === 'string' ? parsed.encryptedToken : undefined;
}

function parseObject(body: Buffer | undefined): Record<string, unknown> | undefined {
  if (!body || body.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How a delivery is signed: as Zoom does, or one of the ways a forger (or a bug) gets it wrong. Plain data, so a
 * failing case can be saved and replayed with a fresh timestamp.
 */
export type SignatureSpec =
  | { kind: 'valid' }
  | { kind: 'missing-signature' }
  | { kind: 'missing-timestamp' }
  | { kind: 'wrong-secret' }
  | { kind: 'changed-timestamp' }
  | { kind: 'empty-digest' }
  /** The signature cut to `length` hex digits of its digest (0 to 63). */
  | { kind: 'truncated'; length: number }
  /** One hex digit of the digest changed (`index` 0 to 63). */
  | { kind: 'flipped'; index: number }
  /** A valid signature of another body. */
  | { kind: 'other-body'; otherBody: Buffer }
  /** A valid signature of `signedBody`; the request carries another (tampered) body. */
  | { kind: 'tampered'; signedBody: Buffer };

export type ForgeryKind = Exclude<SignatureSpec['kind'], 'valid'>;

/** The secret a forger signs with: not the run's, derived from it so it is never printed and never equal. */
export function forgerSecret(secret: string): string {
  return `forger-${createHmac('sha256', 'zoom-conformance').update(secret).digest('hex').slice(0, 16)}`;
}

/** The headers of `body` signed per `spec` at `timestamp` (unix seconds). */
export function signedHeaders(spec: SignatureSpec, options: { secret: string; body: Buffer; timestamp?: number; auth?: EndpointAuth }): Record<string, string> {
  const timestamp = options.timestamp ?? nowSeconds();
  const headers = baseHeaders(options.auth);
  const sign = (body: Buffer, secret = options.secret) => zoomSignature(secret, timestamp, body);
  const valid = () => sign(options.body);
  const set = (signature: string | undefined, ts: string | null = String(timestamp)) => {
    if (ts !== null) headers[ZOOM.timestampHeader] = ts;
    if (signature !== undefined) headers[ZOOM.signatureHeader] = signature;
    return headers;
  };
  switch (spec.kind) {
    case 'valid':
      return set(valid());
    case 'missing-signature':
      return set(undefined);
    case 'missing-timestamp':
      return set(valid(), null);
    case 'wrong-secret':
      return set(sign(options.body, forgerSecret(options.secret)));
    case 'changed-timestamp':
      return set(valid(), String(timestamp - 1));
    case 'empty-digest':
      return set('v0=');
    case 'truncated':
      return set(valid().slice(0, 3 + Math.max(0, Math.min(63, spec.length))));
    case 'flipped': {
      const signature = valid();
      const at = 3 + (spec.index % 64);
      const digit = signature[at]!;
      return set(`${signature.slice(0, at)}${digit === 'f' ? '0' : (parseInt(digit, 16) + 1).toString(16)}${signature.slice(at + 1)}`);
    }
    case 'other-body':
      return set(sign(spec.otherBody));
    case 'tampered':
      return set(sign(spec.signedBody));
  }
}
