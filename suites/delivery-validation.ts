/**
 * Validation of captured deliveries (`conformance validate`): for each delivery, whether its event is known,
 * whether its body validates against the event's schema (every violation with its JSON pointer), which fields it
 * carries that the schema does not document (drift) and which required ones it lacks; with a secret and headers,
 * whether its signature verifies over the raw bytes, and how old its timestamp was. Integers beyond 2^53 are
 * validated exactly (parseExactJson, SchemaValidator's exact integers). Plain data in and out; no output.
 */
import type { CapturedDelivery } from '../engine/capture-file.js';
import { ZOOM, zoomSignature } from '../profiles/zoom.js';
import { undocumentedFields } from '../specs/body-drift.js';
import type { WebhookEvent } from '../specs/catalog.js';
import { parseExactJson } from '../specs/exact-json.js';
import type { JsonSchema } from '../specs/json-schema.js';
import { SchemaValidator, type SchemaProblem } from '../specs/schema-validator.js';

export type SignatureStatus = 'valid' | 'invalid' | 'missing' | 'unchecked';

export interface SignatureVerdict {
  /** `valid`/`invalid` with a secret; `missing`: headers without x-zm-signature or its timestamp; `unchecked`: no secret. */
  status: SignatureStatus;
  reason?: string;
  /** Seconds between x-zm-request-timestamp and the receipt (`receivedAt`, else the time of validation). */
  timestampAgeSeconds?: number;
}

export interface DeliveryVerdict {
  source: string;
  /** The body's `event`, if it has one. */
  event?: string;
  system?: string;
  /** `invalid` covers schema violations and failed signatures; `unknown-event` and `not-json` say why there was no schema. */
  status: 'valid' | 'invalid' | 'unknown-event' | 'not-json';
  /** Why, in a line, when it is not valid for a reason the lists below do not hold. */
  reason?: string;
  violations: SchemaProblem[];
  /** JSON pointers of required fields the body lacks (also among the violations). */
  missingRequired: string[];
  /** JSON pointers of fields the schema does not document (drift; a violation only where the schema is closed). */
  undocumented: string[];
  /** Absent when the capture has no headers (a body only). */
  signature?: SignatureVerdict;
}

export interface ValidationOptions {
  /** The Secret Token: signatures are verified only with it. */
  secret?: string;
  /** The time of validation (epoch ms), for the timestamp age of deliveries without `receivedAt`. */
  now?: number;
  /** Undocumented fields (drift) make a delivery invalid too. */
  strict?: boolean;
}

/** The URL validation challenge is a delivery too: its shape is Zoom's (profiles/zoom.ts), not in any spec. */
export const CHALLENGE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['event', 'payload', 'event_ts'],
  properties: {
    event: { const: ZOOM.challengeEvent },
    payload: { type: 'object', required: ['plainToken'], properties: { plainToken: { type: 'string', minLength: 1 } } },
    event_ts: { type: 'integer' },
  },
};

export class DeliveryValidator {
  private readonly validator = new SchemaValidator({ exactIntegers: true });
  private readonly events = new Map<string, WebhookEvent>();

  constructor(
    events: readonly WebhookEvent[],
    private readonly options: ValidationOptions = {},
  ) {
    for (const event of events) this.events.set(event.name, event);
  }

  validate(delivery: CapturedDelivery): DeliveryVerdict {
    const verdict: DeliveryVerdict = { source: delivery.source, status: 'valid', violations: [], missingRequired: [], undocumented: [] };
    if (delivery.headers) verdict.signature = this.signature(delivery);
    let body = delivery.parsed;
    if (body === undefined) {
      try {
        body = parseExactJson(typeof delivery.body === 'string' ? delivery.body : delivery.body.toString('utf8'));
      } catch (error) {
        return { ...verdict, status: 'not-json', reason: `the body is not JSON (${(error as Error).message.split('\n')[0]})` };
      }
    }
    const name = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).event : undefined;
    if (typeof name !== 'string') return { ...verdict, status: 'unknown-event', reason: 'the body has no "event" name' };
    verdict.event = name;
    const event = this.events.get(name);
    const schema = event?.body.schema ?? (name === ZOOM.challengeEvent ? CHALLENGE_SCHEMA : undefined);
    if (!schema) return { ...verdict, status: 'unknown-event', reason: `no selected spec describes the event "${name}"` };
    verdict.system = event ? event.system : 'url-validation';
    verdict.violations = this.validator.validate(schema, body);
    verdict.missingRequired = verdict.violations.filter((problem) => problem.keyword === 'required').map((problem) => problem.path);
    verdict.undocumented = undocumentedFields(schema, body);
    const signatureFailed = verdict.signature !== undefined && (verdict.signature.status === 'invalid' || verdict.signature.status === 'missing');
    const drifted = this.options.strict === true && verdict.undocumented.length > 0;
    if (verdict.violations.length > 0 || signatureFailed || drifted) verdict.status = 'invalid';
    return verdict;
  }

  private signature(delivery: CapturedDelivery): SignatureVerdict {
    const headers = delivery.headers!;
    const signature = headers[ZOOM.signatureHeader];
    const timestamp = headers[ZOOM.timestampHeader];
    const verdict: SignatureVerdict = { status: 'unchecked' };
    if (timestamp !== undefined && /^\d{1,15}$/.test(timestamp.trim())) {
      const received = delivery.receivedAt ?? this.options.now ?? Date.now();
      verdict.timestampAgeSeconds = Math.round(received / 1000 - Number(timestamp.trim()));
    }
    if (signature === undefined || timestamp === undefined) {
      return { ...verdict, status: 'missing', reason: `no ${signature === undefined ? ZOOM.signatureHeader : ZOOM.timestampHeader} header` };
    }
    if (this.options.secret === undefined) return { ...verdict, reason: 'no secret token given (--secret or ZOOM_WEBHOOK_SECRET_TOKEN)' };
    const expected = zoomSignature(this.options.secret, timestamp, delivery.body);
    if (signature === expected) return { ...verdict, status: 'valid' };
    return {
      ...verdict,
      status: 'invalid',
      reason: /^v0=[0-9a-f]{64}$/.test(signature) ? 'the signature does not match the body and timestamp for this secret' : `the signature is not "v0=" and 64 lowercase hex digits`,
    };
  }
}

export interface EventTally {
  event: string;
  system: string | null;
  deliveries: number;
  valid: number;
  invalid: number;
  /** Violations by JSON pointer (array indices as `*`) and message, with how many deliveries had each. */
  violations: Map<string, number>;
  undocumented: Map<string, number>;
  missingRequired: Map<string, number>;
  signatures: Record<SignatureStatus, number>;
  /** Oldest and newest timestamp age seen, in seconds. */
  timestampAge?: { min: number; max: number };
}

/** The row of the tallies a verdict counts in: its event, or a row of its own for bodies without one. */
export function tallyRow(verdict: DeliveryVerdict): string {
  return verdict.status === 'not-json' ? '(not JSON)' : (verdict.event ?? '(no event name)');
}

/** Per-event tallies of verdicts (unknown events and bodies that are not JSON get their own rows). */
export class ValidationTally {
  readonly byEvent = new Map<string, EventTally>();
  readonly failures: DeliveryVerdict[] = [];
  readonly drifting: DeliveryVerdict[] = [];
  total = 0;
  valid = 0;

  add(verdict: DeliveryVerdict): void {
    this.total++;
    const key = tallyRow(verdict);
    let tally = this.byEvent.get(key);
    if (!tally) {
      tally = {
        event: key,
        system: verdict.system ?? null,
        deliveries: 0,
        valid: 0,
        invalid: 0,
        violations: new Map(),
        undocumented: new Map(),
        missingRequired: new Map(),
        signatures: { valid: 0, invalid: 0, missing: 0, unchecked: 0 },
      };
      this.byEvent.set(key, tally);
    }
    tally.deliveries++;
    if (verdict.status === 'valid') {
      tally.valid++;
      this.valid++;
    } else {
      tally.invalid++;
      this.failures.push(verdict);
    }
    if (verdict.undocumented.length > 0) this.drifting.push(verdict);
    for (const problem of verdict.violations) count(tally.violations, `${generalise(problem.path)} ${problem.message}`);
    for (const pointer of new Set(verdict.undocumented.map(generalise))) count(tally.undocumented, pointer);
    for (const pointer of new Set(verdict.missingRequired.map(generalise))) count(tally.missingRequired, pointer);
    if (verdict.signature) {
      tally.signatures[verdict.signature.status]++;
      const age = verdict.signature.timestampAgeSeconds;
      if (age !== undefined) tally.timestampAge = tally.timestampAge ? { min: Math.min(tally.timestampAge.min, age), max: Math.max(tally.timestampAge.max, age) } : { min: age, max: age };
    }
  }

  /** Rows in a stable order: known events by name, then unknown ones. */
  rows(): EventTally[] {
    return [...this.byEvent.values()].sort((a, b) => Number(a.system === null) - Number(b.system === null) || (a.event < b.event ? -1 : a.event > b.event ? 1 : 0));
  }
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** A pointer with array indices as `*`, so the deliveries of one event add up field by field. */
export function generalise(pointer: string): string {
  return pointer.replace(/\/\d+(?=\/|$)/g, '/*');
}
