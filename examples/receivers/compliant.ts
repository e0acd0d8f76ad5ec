/**
 * A compliant Zoom webhook receiver on plain Node `http`: the model to copy.
 *
 * What it does, in the order it does it, for a POST to the webhook path:
 *
 *   1. Reads the raw body as bytes (at most 4 MiB; above that 413).
 *   2. Verifies the signature over those exact bytes BEFORE anything else, the URL-validation challenge included
 *      (401 on any failure, nothing applied).
 *   3. Parses the JSON (400 when it is not an object with a string `event`).
 *   4. Answers `endpoint.url_validation` with `{plainToken, encryptedToken}`.
 *   5. Applies every other event once (Zoom retries and duplicate subscriptions repeat the same body) and answers
 *      200 at once. Slow work belongs after the acknowledgement: Zoom waits 3 seconds at most.
 *
 * It also serves a test-mode OBSERVER, `GET /zoom/observe?event=<event>&event_ts=<event_ts>` answering
 * `{"count": n}`: how many times the effects of that delivery were applied. The conformance suite uses it to see
 * whether a forged delivery was applied, or a redelivery applied twice. A real app exposes it only in test mode.
 *
 * Run it: `ZOOM_WEBHOOK_SECRET_TOKEN=... node dist/examples/receivers/compliant.js [--port N] [--host H]`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { isMainModule, listenAndAnnounce, parseListenArguments, readSecretToken, stopOnSignals } from './command-line.js';

/** The body of a Zoom delivery, as far as the receiver needs to know it. */
export interface ZoomEvent {
  event: string;
  /** Milliseconds since the epoch; with `event`, what identifies the event to the observer. */
  event_ts?: unknown;
  payload?: unknown;
  [field: string]: unknown;
}

export interface ZoomReceiverOptions {
  /** The app's Secret Token (Zoom Marketplace, app > Features > Access). Never log it. */
  secretToken: string;
  /** Where Zoom POSTs. Default `/zoom/webhook`. */
  path?: string;
  /** The test-mode observer. Default `/zoom/observe`. */
  observePath?: string;
  /** How far `x-zm-request-timestamp` may be from now, either way. Default 300 seconds. */
  toleranceSeconds?: number;
  /** The largest body read. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Called once per applied event: where a real app enqueues its work. Keep it fast; do slow work later. */
  onEvent?: (event: ZoomEvent) => void;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_WEBHOOK_PATH = '/zoom/webhook';
export const DEFAULT_OBSERVE_PATH = '/zoom/observe';
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------------

/** A header's value, or undefined when it is absent or repeated. */
export function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** `v0=` + lowercase hex HMAC-SHA256(secret, `v0:{timestamp}:` + raw body bytes). */
export function expectedSignature(secretToken: string, timestamp: string, rawBody: Buffer): string {
  // Concatenate bytes: decoding the body to a string (or re-serializing parsed JSON) can change the bytes Zoom signed.
  const message = Buffer.concat([Buffer.from(`v0:${timestamp}:`, 'utf8'), rawBody]);
  return `v0=${createHmac('sha256', secretToken).update(message).digest('hex')}`;
}

export type Verification = { ok: true } | { ok: false; reason: string };

/**
 * Checks `x-zm-request-timestamp` (digits, within `toleranceSeconds` of now) and `x-zm-signature`
 * (`v0=` + 64 lowercase hex, equal in constant time to the signature recomputed over the raw bytes).
 */
export function verifyZoomSignature(
  rawBody: Buffer,
  headers: http.IncomingHttpHeaders,
  secretToken: string,
  toleranceSeconds: number,
  nowSeconds: number,
): Verification {
  const timestamp = headerValue(headers, 'x-zm-request-timestamp');
  if (timestamp === undefined || !/^[0-9]+$/.test(timestamp)) {
    return { ok: false, reason: 'missing or malformed x-zm-request-timestamp' };
  }
  // Refuse old (replayed) and far-future timestamps alike.
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    return { ok: false, reason: 'x-zm-request-timestamp is outside the allowed window' };
  }
  const signature = headerValue(headers, 'x-zm-signature');
  if (signature === undefined || !/^v0=[0-9a-f]{64}$/.test(signature)) {
    return { ok: false, reason: 'missing or malformed x-zm-signature' };
  }
  const expected = expectedSignature(secretToken, timestamp, rawBody);
  // Both are 67 ASCII bytes here, as timingSafeEqual requires; it takes the same time wherever they differ.
  if (!timingSafeEqual(Buffer.from(signature, 'utf8'), Buffer.from(expected, 'utf8'))) {
    return { ok: false, reason: 'x-zm-signature does not match' };
  }
  return { ok: true };
}

export interface ChallengeResponse {
  plainToken: string;
  encryptedToken: string;
}

/** The answer to `endpoint.url_validation`: the token back, and lowercase hex HMAC-SHA256(secret, token). */
export function challengeResponse(plainToken: string, secretToken: string): ChallengeResponse {
  return { plainToken, encryptedToken: createHmac('sha256', secretToken).update(plainToken).digest('hex') };
}

/** Parses a body: undefined unless it is UTF-8 JSON text of an object with a string `event`. */
export function parseZoomEvent(rawBody: Buffer): ZoomEvent | undefined {
  let value: unknown;
  try {
    // `fatal`: bytes that are not UTF-8 are not JSON (RFC 8259), rather than silently becoming U+FFFD.
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
  } catch {
    return undefined;
  }
  return isZoomEvent(value) ? value : undefined;
}

export function isZoomEvent(value: unknown): value is ZoomEvent {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as ZoomEvent).event === 'string';
}

/** The string `payload.plainToken` of a URL-validation body, if there is one. */
export function plainTokenOf(event: ZoomEvent): string | undefined {
  const payload = event.payload;
  if (payload === null || typeof payload !== 'object') return undefined;
  const token = (payload as Record<string, unknown>).plainToken;
  return typeof token === 'string' ? token : undefined;
}

/**
 * Reads the whole body as bytes, keeping at most `limit` of them. Resolves undefined as soon as the body is known
 * to be larger (by its Content-Length, or once more than `limit` bytes arrived); nothing more is kept from then on.
 * The rest of the upload is discarded as it arrives (Node does that for a body left unread) instead of cutting the
 * connection, so that a client still sending reads the 413 rather than a connection reset.
 */
export function readRawBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limit) {
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Too large: keep nothing more, let the rest flow away unread.
        req.off('data', onData);
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** A delivery's identity: the SHA-256 of its raw body. A Zoom retry repeats the body byte for byte. */
export function deliveryId(rawBody: Buffer): string {
  return createHash('sha256').update(rawBody).digest('hex');
}

/**
 * The delivery ids seen recently: a Map in insertion (= arrival) order, so the oldest entries are dropped first.
 * Entries expire after `ttlMs` (Zoom's last retry comes about 85 minutes after the first attempt) and there are
 * never more than `maxEntries` of them.
 */
export class DeliveryMemory {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 100_000,
    private readonly ttlMs = 2 * 60 * 60 * 1000,
  ) {}

  has(id: string): boolean {
    const at = this.seenAt.get(id);
    return at !== undefined && this.now() - at < this.ttlMs;
  }

  add(id: string): void {
    const now = this.now();
    for (const [oldId, at] of this.seenAt) {
      if (now - at < this.ttlMs && this.seenAt.size < this.maxEntries) break;
      this.seenAt.delete(oldId);
    }
    this.seenAt.delete(id);
    this.seenAt.set(id, now);
  }
}

/** What the observer counts by: the event name and its event_ts. */
export function effectKey(event: string, eventTs: unknown): string {
  // A number in the body and a digit string in the query must meet; JSON.parse rounds event_ts above 2^53, so the
  // query's digits go through Number too.
  const ts = typeof eventTs === 'string' && /^-?[0-9]+$/.test(eventTs) ? Number(eventTs) : eventTs;
  return `${event}\n${String(ts ?? '')}`;
}

/** An answer: status, optional JSON body, optional headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function send(res: http.ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, { 'content-length': '0', ...reply.headers }).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...reply.headers }).end(text);
}

/** The path of a request URL, and its query. */
export function splitUrl(url: string | undefined): { path: string; query: URLSearchParams } {
  const [path = '/', query = ''] = (url ?? '/').split('?', 2);
  return { path, query: new URLSearchParams(query) };
}

// ---------------------------------------------------------------------------------------------------------------
// Replaceable steps: the compliant receiver uses the defaults. Only the faulty variants (faulty.ts) replace them.
// ---------------------------------------------------------------------------------------------------------------

/** The receiver's state that a faulty variant may reach into. */
export interface ReceiverState {
  memory: Pick<DeliveryMemory, 'has' | 'add'>;
  apply(event: ZoomEvent): void;
}

export interface DeliveryContext {
  rawBody: Buffer;
  headers: http.IncomingHttpHeaders;
  deliveryId: string;
  state: ReceiverState;
  /** Aborted when the sender closed the connection before the answer was sent. */
  senderGone: AbortSignal;
}

export interface ReceiverSteps {
  verify: typeof verifyZoomSignature;
  parse: typeof parseZoomEvent;
  challengeResponse: typeof challengeResponse;
  /** Replaces the dedupe memory. */
  memory?: Pick<DeliveryMemory, 'has' | 'add'>;
  /** Runs after the body is read, before verification; a reply ends the request there. */
  beforeVerify?: (context: DeliveryContext) => Reply | undefined | Promise<Reply | undefined>;
  /** Runs after parsing, before the challenge and applying; a reply ends the request there. */
  afterParse?: (event: ZoomEvent, context: DeliveryContext) => Reply | undefined | Promise<Reply | undefined>;
  /** The status of a delivery that fails verification (default 401). */
  rejectionStatus?: number;
}

export const COMPLIANT_STEPS: ReceiverSteps = { verify: verifyZoomSignature, parse: parseZoomEvent, challengeResponse };

// ---------------------------------------------------------------------------------------------------------------
// The receiver
// ---------------------------------------------------------------------------------------------------------------

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** The request handler of the receiver (createZoomReceiver puts it in an http.Server). */
export function createZoomRequestHandler(options: ZoomReceiverOptions, steps: ReceiverSteps = COMPLIANT_STEPS): RequestHandler {
  const secretToken = options.secretToken;
  const webhookPath = options.path ?? DEFAULT_WEBHOOK_PATH;
  const observePath = options.observePath ?? DEFAULT_OBSERVE_PATH;
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? Date.now;
  if (!secretToken) throw new Error('createZoomReceiver: secretToken is required');

  // How many times each event's effects were applied (read by the observer).
  const appliedCounts = new Map<string, number>();
  const state: ReceiverState = {
    memory: steps.memory ?? new DeliveryMemory(now),
    apply(event) {
      const key = effectKey(event.event, event.event_ts);
      appliedCounts.set(key, (appliedCounts.get(key) ?? 0) + 1);
      // A real app enqueues the event here (a queue, a table) and does the slow work after acknowledging.
      options.onEvent?.(event);
    },
  };

  async function handleDelivery(req: http.IncomingMessage, senderGone: AbortSignal): Promise<Reply> {
    // 1. The raw bytes, exactly as Zoom signed them.
    const rawBody = await readRawBody(req, maxBodyBytes);
    if (rawBody === undefined) {
      return { status: 413, body: { error: `body larger than ${maxBodyBytes} bytes` } };
    }
    const context: DeliveryContext = { rawBody, headers: req.headers, deliveryId: deliveryId(rawBody), state, senderGone };
    const detour = await steps.beforeVerify?.(context); // (faulty variants only)
    if (detour) return detour;

    // 2. Verify before anything else: nothing unverified is answered, parsed or applied.
    const verification = steps.verify(rawBody, req.headers, secretToken, toleranceSeconds, Math.floor(now() / 1000));
    if (!verification.ok) return { status: steps.rejectionStatus ?? 401, body: { error: verification.reason } };

    // 3. Parse.
    const event = steps.parse(rawBody);
    if (event === undefined) return { status: 400, body: { error: 'body is not a JSON object with a string "event"' } };
    const parsedDetour = await steps.afterParse?.(event, context); // (faulty variants only)
    if (parsedDetour) return parsedDetour;

    // 4. The endpoint URL validation challenge (sent when the endpoint is saved, then every 72 hours).
    if (event.event === 'endpoint.url_validation') {
      const plainToken = plainTokenOf(event);
      if (plainToken === undefined) return { status: 400, body: { error: 'endpoint.url_validation without a string payload.plainToken' } };
      return { status: 200, body: steps.challengeResponse(plainToken, secretToken) };
    }

    // 5. Any other event, known or not (Zoom adds events): apply it once, then acknowledge at once.
    if (state.memory.has(context.deliveryId)) return { status: 200 }; // a retry or a duplicate: already applied
    state.apply(event);
    state.memory.add(context.deliveryId);
    return { status: 200 };
  }

  function handleObserve(query: URLSearchParams): Reply {
    const event = query.get('event');
    if (event === null) return { status: 400, body: { error: 'query parameter "event" is required' } };
    return { status: 200, body: { count: appliedCounts.get(effectKey(event, query.get('event_ts'))) ?? 0 } };
  }

  return (req, res) => {
    const { path, query } = splitUrl(req.url);
    if (path === webhookPath) {
      if (req.method !== 'POST') return send(res, { status: 405, body: { error: 'method not allowed' }, headers: { allow: 'POST' } });
      const senderGone = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) senderGone.abort();
      });
      handleDelivery(req, senderGone.signal).then(
        (reply) => send(res, reply),
        (error: unknown) => {
          // Unexpected: answer 500 so that Zoom retries later.
          process.stderr.write(`zoom receiver: ${error instanceof Error ? error.message : String(error)}\n`);
          if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
        },
      );
      return;
    }
    if (path === observePath) {
      if (req.method !== 'GET') return send(res, { status: 405, body: { error: 'method not allowed' }, headers: { allow: 'GET' } });
      return send(res, handleObserve(query));
    }
    send(res, { status: 404, body: { error: 'not found' } });
  };
}

/** The receiver as an `http.Server`, not yet listening. */
export function createZoomReceiver(options: ZoomReceiverOptions, steps: ReceiverSteps = COMPLIANT_STEPS): http.Server {
  return http.createServer(createZoomRequestHandler(options, steps));
}

// ---------------------------------------------------------------------------------------------------------------
// Run from the command line
// ---------------------------------------------------------------------------------------------------------------

if (isMainModule(import.meta.url)) {
  const { port, host } = parseListenArguments(process.argv.slice(2));
  const server = createZoomReceiver({ secretToken: readSecretToken() });
  listenAndAnnounce(server, { port, host, label: 'Zoom receiver' });
  stopOnSignals(server);
}
