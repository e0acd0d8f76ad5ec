/**
 * Signature verification: every delivery carries `x-zm-signature: v0=<hex HMAC-SHA256(secret, "v0:{ts}:{raw
 * body}")>` and `x-zm-request-timestamp`. A receiver must recompute it over the raw bytes and refuse anything else;
 * each forgery below is something an attacker on the internet can send.
 */
import type { Exchange, HttpRequest } from '../engine/http.js';
import type { Delivery } from '../generators/deliveries.js';
import { encode, type Encoding } from '../generators/encodings.js';
import { ZOOM } from '../profiles/zoom.js';
import { defineCheck, type Check, type Probe, type ProbeContext, type Suite } from './check.js';
import { acknowledgedInTime, is2xx, labelOf, notAccepted, outcome } from './outcome.js';

function rejection(name: string, level: 'MUST' | 'SHOULD', title: string, rationale: string): Check {
  return defineCheck({ id: `signature.${name}`, suite: 'signature', level, title, rationale, judge: notAccepted, evidence: 'rejection' });
}

const missingSignature = rejection('missing-signature', 'MUST', 'A delivery without x-zm-signature is not accepted', 'Without it nothing proves the delivery comes from Zoom.');
const missingTimestamp = rejection(
  'missing-timestamp',
  'MUST',
  'A delivery without x-zm-request-timestamp is not accepted',
  'The timestamp is part of the signed message; without it the signature cannot be verified.',
);
const wrongSecret = rejection('wrong-secret', 'MUST', 'A delivery signed with another secret is not accepted', 'Anyone can sign with a secret of their own.');
const tamperedBody = rejection(
  'tampered-body',
  'MUST',
  'A delivery whose body was changed by one byte after signing is not accepted',
  'The signature protects the body; a receiver that accepts a changed body lets anyone rewrite what Zoom sent.',
);
const changedTimestamp = rejection(
  'changed-timestamp',
  'MUST',
  'A delivery whose timestamp header was changed after signing is not accepted',
  'The timestamp is signed so that old deliveries cannot be replayed under a fresh one.',
);
const versionPrefix = rejection(
  'version-prefix',
  'SHOULD',
  'A signature with an unknown scheme prefix (v1=) is not accepted',
  'Not exploitable alone (the digest is right), but a receiver that ignores the scheme will mis-verify the day Zoom adds one.',
);
const emptyDigest = rejection('empty-hex', 'MUST', 'A signature of `v0=` with no digest is not accepted', 'A prefix or length bug here accepts a header anyone can write.');
const truncatedDigest = rejection(
  'truncated',
  'MUST',
  'A truncated signature (half of the right digest) is not accepted',
  'Prefix comparison lets an attacker guess a short prefix instead of a full HMAC.',
);
const otherBody = rejection(
  'other-body',
  'MUST',
  "A valid signature of another body is not accepted",
  'A signature captured from one delivery must not authorise another.',
);
const staleTimestamp = rejection(
  'stale-timestamp',
  'SHOULD',
  'A correctly signed delivery with a 10-minute-old timestamp is rejected',
  'Without a freshness window a captured delivery can be replayed forever (Zoom names no window; 5 minutes is the industry norm).',
);
const futureTimestamp = rejection(
  'future-timestamp',
  'SHOULD',
  'A correctly signed delivery with a timestamp an hour in the future is rejected',
  'A far-future timestamp defeats the freshness window of a receiver that only checks the past.',
);

const rejectedWith401 = defineCheck({
  id: 'signature.rejected-with-401',
  suite: 'signature',
  level: 'SHOULD',
  title: 'Deliveries that fail verification are answered 401',
  rationale: "Any 4xx is correct and is not retried by Zoom; 401 is the recommended answer (Zoom's sample) and tells operators what happened.",
});

const rawBody = defineCheck({
  id: 'signature.raw-body',
  suite: 'signature',
  level: 'SHOULD',
  title: 'A correctly signed body whose bytes differ from re-serialized JSON is accepted',
  rationale: 'Zoom signs the bytes it sends; verifying over re-serialized JSON breaks on whitespace, escapes or key order (and on ids beyond 2^53).',
  judge: acknowledgedInTime,
});

interface Forgery {
  check: Check;
  label: string;
  /** Builds the forged request from a fresh valid delivery (never delivered validly) and another valid body. */
  build(context: ProbeContext, delivery: Delivery, other: Buffer): HttpRequest;
}

const FORGERIES: Forgery[] = [
  {
    check: missingSignature,
    label: 'no x-zm-signature',
    build: (context, delivery) => context.signed(delivery.body, { as: { kind: 'missing-signature' }, delivery }),
  },
  {
    check: missingTimestamp,
    label: 'no x-zm-request-timestamp',
    build: (context, delivery) => context.signed(delivery.body, { as: { kind: 'missing-timestamp' }, delivery }),
  },
  {
    check: wrongSecret,
    label: 'signed with another secret',
    build: (context, delivery) => context.signed(delivery.body, { as: { kind: 'wrong-secret' }, delivery }),
  },
  {
    check: tamperedBody,
    label: 'body changed by one byte after signing',
    build: (context, delivery) => context.signed(tamper(delivery.body), { as: { kind: 'tampered', signedBody: delivery.body }, delivery }),
  },
  {
    check: changedTimestamp,
    label: 'timestamp header changed after signing',
    build: (context, delivery) => context.signed(delivery.body, { as: { kind: 'changed-timestamp' }, delivery }),
  },
  {
    check: versionPrefix,
    label: 'v1= instead of v0=',
    build: (context, delivery) => withSignature(context.signed(delivery.body, { delivery }), 'version-prefix', (signature) => signature.replace(/^v0=/, 'v1=')),
  },
  {
    check: emptyDigest,
    label: 'signature "v0=" with no digest',
    build: (context, delivery) => context.signed(delivery.body, { as: { kind: 'empty-digest' }, delivery }),
  },
  {
    check: truncatedDigest,
    label: 'signature truncated to half its digest',
    build: (context, delivery) => context.signed(delivery.body, { as: { kind: 'truncated', length: 32 }, delivery }),
  },
  {
    check: otherBody,
    label: 'signature of another body',
    build: (context, delivery, other) => context.signed(delivery.body, { as: { kind: 'other-body', otherBody: other }, delivery }),
  },
  {
    check: staleTimestamp,
    label: 'correctly signed, timestamp 10 minutes old',
    build: (context, delivery) => context.signed(delivery.body, { timestampOffset: -600, delivery }),
  },
  {
    check: futureTimestamp,
    label: 'correctly signed, timestamp 1 hour ahead',
    build: (context, delivery) => context.signed(delivery.body, { timestampOffset: 3600, delivery }),
  },
];

/** Encodings of the same JSON value that re-serialization does not reproduce. */
const RAW_ENCODINGS: { label: string; encoding: Encoding }[] = [
  { label: 'newlines between tokens, keys in reverse order', encoding: { whitespace: 'newlines', unicodeEscapes: false, escapedSlash: false, keyOrder: 'reversed' } },
  { label: '\\uXXXX escapes and escaped slashes', encoding: { whitespace: 'none', unicodeEscapes: true, escapedSlash: true, keyOrder: 'as-is' } },
];

/** The request with its signature header changed (a forgery the Zoom profile does not build), named in its traits. */
function withSignature(request: HttpRequest, kind: string, change: (signature: string) => string): HttpRequest {
  return {
    ...request,
    headers: { ...request.headers, [ZOOM.signatureHeader]: change(request.headers[ZOOM.signatureHeader]!) },
    ...(request.traits ? { traits: { ...request.traits, signature: kind } } : {}),
  };
}

/**
 * Changes one byte of a compact JSON body and keeps it JSON: the first letter of a string value inside `payload`
 * (or, failing that, of the event name) becomes the next letter.
 */
export function tamper(body: Buffer): Buffer {
  const text = body.toString('latin1');
  const payload = text.indexOf('"payload"');
  const pattern = /":"([A-Za-z])/g;
  pattern.lastIndex = payload >= 0 ? payload : 0;
  const match = pattern.exec(text) ?? /"event":"([A-Za-z])/.exec(text);
  if (!match) throw new Error('internal: no string value to tamper with');
  const index = match.index + match[0].length - 1;
  const copy = Buffer.from(body);
  const letter = copy[index]!;
  copy[index] = letter === 0x7a ? 0x61 : letter === 0x5a ? 0x41 : letter + 1;
  return copy;
}

const forgeries: Probe = {
  id: 'signature.forgeries',
  checks: [...FORGERIES.map((forgery) => forgery.check), rejectedWith401],
  scope: 'event',
  async run(context, event) {
    const selected = FORGERIES.filter((forgery) => context.wants(forgery.check) || context.wants(rejectedWith401));
    // One fresh body per forgery (none is ever delivered validly), and one more whose signature is borrowed.
    const bodies = context.sample(event!, 'valid', selected.length + 1);
    const other = bodies.pop()!.body;
    const exchanges = await Promise.all(
      selected.map(async (forgery, index) => {
        const exchange = await context.send({ ...forgery.build(context, bodies[index]!, other), label: forgery.label });
        context.judge(forgery.check, event!.name, [exchange]);
        return exchange;
      }),
    );
    context.record(rejectedWith401, event!.name, judge401(exchanges));
  },
};

const rawBodies: Probe = {
  id: 'signature.raw-body',
  checks: [rawBody],
  scope: 'event',
  async run(context, event) {
    const deliveries = context.sample(event!, 'valid', RAW_ENCODINGS.length);
    const exchanges = await Promise.all(
      RAW_ENCODINGS.map(({ label, encoding }, index) => {
        const body = Buffer.from(encode(deliveries[index]!.value!, encoding).text, 'utf8');
        return context.send(context.signed(body, { label, delivery: deliveries[index]! }));
      }),
    );
    context.judge(rawBody, event!.name, exchanges);
  },
};

export const signatureSuite: Suite = {
  id: 'signature',
  title: 'Signature verification',
  checks: [...FORGERIES.map((forgery) => forgery.check), rejectedWith401, rawBody],
  probes: [forgeries, rawBodies],
};

function judge401(exchanges: Exchange[]): { status: 'pass' | 'fail' | 'skip'; reason?: string; exchanges: Exchange[] } {
  // Only answers say which status the receiver rejects with: a dropped delivery is not a rejection status.
  const rejected = exchanges.filter((exchange) => exchange.response !== undefined && !is2xx(exchange));
  if (rejected.length === 0) {
    const dropped = exchanges.filter((exchange) => exchange.response === undefined).length;
    return { status: 'skip', reason: `no forged delivery was answered with a rejection status${dropped > 0 ? ` (${dropped} got no answer)` : ''} (see the signature checks)`, exchanges: [] };
  }
  const other = rejected.filter((exchange) => exchange.response?.status !== 401);
  if (other.length === 0) return { status: 'pass', exchanges: rejected };
  const first = other[0]!;
  const more = other.length > 1 ? ` (and ${other.length - 1} more of ${rejected.length} rejections)` : '';
  return { status: 'fail', reason: `${labelOf(first)}: ${outcome(first)}; 401 is the recommended rejection${more}`, exchanges: other };
}
