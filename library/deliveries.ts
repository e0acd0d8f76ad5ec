/**
 * Deliveries for a receiver's own unit tests: generated bodies with their exact raw bytes, Zoom's headers for any
 * body (like Stripe's `generateTestHeaderString`), and the endpoint URL validation challenge with its expected
 * answer. Bundled specs by default; `spec` takes specs loaded with `loadSpec`.
 */
import { randomBytes } from 'node:crypto';
import { DeliveryGenerator, MODES, type Delivery, type DeliveryNote, type Mode } from '../generators/deliveries.js';
import { freshSeed } from '../job/options.js';
import { findEvent } from '../job/select-specs.js';
import { UsageError } from '../job/usage-error.js';
import { challengeBody, challengeToken, deliveryHeaders, judgeChallengeAnswer, nowSeconds } from '../profiles/zoom.js';
import { WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { specsOf, type SpecChoice } from './catalog.js';

export interface GenerateOptions extends SpecChoice {
  /** `valid` (what Zoom sends, the default), `edge` (schema-valid but hostile) or `invalid` (breaks the schema or JSON). */
  mode?: Mode;
  /** How many (default 1). */
  count?: number;
  /** The same seed gives the same bytes (default: random). */
  seed?: number;
}

export interface GeneratedDelivery {
  event: string;
  system: string;
  mode: Mode;
  /** The exact bytes to send and to sign. */
  body: Buffer;
  /** The body's `event_ts` (undefined when it has none: some invalid bodies). */
  eventTs: number | undefined;
  /** What makes it interesting: its edges (edge mode) or its breakage (invalid mode), each with where it is. */
  edges: DeliveryNote[];
  /** True for valid deliveries and edge deliveries whose every edge Zoom itself can send. */
  zoomPlausible: boolean;
}

/** `count` deliveries of one event, deterministic for the seed. */
export function generateDeliveries(event: string, options: GenerateOptions = {}): GeneratedDelivery[] {
  const mode = options.mode ?? 'valid';
  if (!MODES.includes(mode)) throw new UsageError(`generateDeliveries: mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const count = options.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new UsageError(`generateDeliveries: count must be a whole number from 1 to 100000, got ${String(count)}`);
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new UsageError(`generateDeliveries: seed must be an integer, got ${String(options.seed)}`);
  const found = named('generateDeliveries', () => findEvent(specsOf(options, WEBHOOK_SYSTEMS), event));
  const generator = new DeliveryGenerator(options.seed !== undefined ? options.seed | 0 : freshSeed());
  return generator.generate(found, mode, count).map(publicDelivery);
}

function publicDelivery(delivery: Delivery): GeneratedDelivery {
  return {
    event: delivery.event,
    system: delivery.system,
    mode: delivery.mode,
    body: delivery.body,
    eventTs: delivery.eventTs,
    edges: delivery.edges,
    zoomPlausible: delivery.zoomPlausible,
  };
}

export interface SignOptions {
  /** When it was signed: unix seconds, or a Date (default: now). */
  timestamp?: number | Date;
}

/**
 * The headers Zoom sends with `body` signed with `secret`: `x-zm-signature` (`v0=` + HMAC-SHA256 of
 * `v0:{timestamp}:{body}`), `x-zm-request-timestamp`, content type, user agent and request ids. The body is signed
 * as the exact bytes given (a string: its UTF-8 bytes): send those bytes.
 */
export function signDelivery(body: string | Uint8Array, secret: string, options: SignOptions = {}): Record<string, string> {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) throw new UsageError('signDelivery: body must be the exact bytes to send, a string or a Buffer (JSON.stringify an object yourself, and send that string)');
  if (typeof secret !== 'string' || secret.length === 0) throw new UsageError('signDelivery: secret must be the Secret Token, a non-empty string');
  return deliveryHeaders({ secret, body: Buffer.from(body), timestamp: timestampOf(options.timestamp, 'signDelivery') });
}

export interface ChallengeOptions extends SignOptions {
  /** The token to send (default: a random one, as Zoom's). */
  plainToken?: string;
}

export interface ChallengeDelivery {
  /** The exact bytes of the `endpoint.url_validation` body. */
  body: Buffer;
  /** Zoom's headers, signed with the secret. */
  headers: Record<string, string>;
  plainToken: string;
  /** What the receiver must answer, with status 200 and as JSON. */
  expected: { plainToken: string; encryptedToken: string };
}

/** A signed endpoint URL validation challenge, and the answer Zoom expects to it. */
export function challengeDelivery(secret: string, options: ChallengeOptions = {}): ChallengeDelivery {
  if (typeof secret !== 'string' || secret.length === 0) throw new UsageError('challengeDelivery: secret must be the Secret Token, a non-empty string');
  const plainToken = options.plainToken ?? randomBytes(16).toString('base64url');
  const timestamp = timestampOf(options.timestamp, 'challengeDelivery');
  const body = challengeBody(plainToken, timestamp * 1000);
  return { body, headers: deliveryHeaders({ secret, body, timestamp }), plainToken, expected: { plainToken, encryptedToken: challengeToken(secret, plainToken) } };
}

export type ChallengeVerdict = { ok: true } | { ok: false; problem: string };

/** Whether an answer to a challenge is what Zoom expects: 200, JSON, the plainToken sent and its encryptedToken. */
export function checkChallengeAnswer(answer: { status: number; body: string | Uint8Array }, challenge: { plainToken: string; secret: string }): ChallengeVerdict {
  const verdict = judgeChallengeAnswer(answer.status, Buffer.from(answer.body), challenge.plainToken, challengeToken(challenge.secret, challenge.plainToken));
  return verdict.ok ? { ok: true } : { ok: false, problem: verdict.problem };
}

function timestampOf(value: number | Date | undefined, where: string): number {
  if (value === undefined) return nowSeconds();
  if (value instanceof Date) return nowSeconds(value.getTime());
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${where}: timestamp must be unix seconds (a whole number) or a Date, got ${String(value)}`);
  return value;
}

function named<T>(where: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${where}: ${error.message}`);
    throw error;
  }
}

