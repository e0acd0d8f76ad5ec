/**
 * What the fuzzer sends: random cases over the selected events in every mode, each with the property it must
 * satisfy, at a level. A case is plain data drawn by fast-check (so it shrinks); building it gives the exact bytes
 * and the signature to send; judging it gives a verdict.
 *
 * - valid deliveries and edges Zoom sends: acknowledged (200 or 204) within the deadline (MUST);
 * - hostile-but-valid edges: acknowledged, never 5xx, reset or timeout (SHOULD: Zoom is unlikely to send them);
 * - forged or mangled signatures (missing headers, another secret, a byte of the body changed, the timestamp
 *   changed, the digest emptied, truncated or with one digit changed, the signature of another body): never 2xx (MUST);
 * - bodies that break the schema or are not JSON: never 5xx, reset or timeout (SHOULD).
 */
import fc from 'fast-check';
import type { Exchange } from '../engine/http.js';
import { draftTraits, type Delivery, type DeliveryGenerator, type Draft } from '../generators/deliveries.js';
import { isAcknowledged, type ForgeryKind, type SignatureSpec } from '../profiles/zoom.js';
import type { WebhookEvent } from '../specs/catalog.js';
import { defineCheck, type Check, type Verdict } from './check.js';
import { is2xx, is5xx, outcome } from './outcome.js';

export const CASE_CLASSES = ['valid', 'edge-zoom', 'edge-hostile', 'forged', 'invalid'] as const;
export type CaseClass = (typeof CASE_CLASSES)[number];

export const FUZZ_CHECKS: Record<CaseClass, Check> = {
  valid: defineCheck({
    id: 'acknowledgement.fuzz-valid',
    suite: 'acknowledgement',
    level: 'MUST',
    title: 'Random valid deliveries are acknowledged within the deadline',
    rationale: 'Whatever Zoom sends within the schema must be acknowledged, or Zoom retries and eventually disables the subscription.',
  }),
  'edge-zoom': defineCheck({
    id: 'robustness.fuzz-edge-zoom',
    suite: 'robustness',
    level: 'MUST',
    title: 'Random deliveries with edges Zoom sends are acknowledged within the deadline',
    rationale: 'Emoji, empty lists, omitted and added fields occur in real deliveries.',
  }),
  'edge-hostile': defineCheck({
    id: 'robustness.fuzz-edge-hostile',
    suite: 'robustness',
    level: 'SHOULD',
    title: 'Random hostile-but-valid deliveries are acknowledged, never 5xx, reset or timed out',
    rationale: 'Schema-valid input Zoom is unlikely to send still must not crash the receiver.',
  }),
  forged: defineCheck({
    id: 'signature.fuzz-forgery',
    suite: 'signature',
    level: 'MUST',
    title: 'Random forged or mangled signatures are never accepted',
    rationale: 'Any accepted forgery lets anyone on the internet inject events.',
    evidence: 'rejection',
  }),
  invalid: defineCheck({
    id: 'robustness.fuzz-invalid',
    suite: 'robustness',
    level: 'SHOULD',
    title: 'Random signed bodies that break the schema or are not JSON get no 5xx, reset or timeout',
    rationale: 'Malformed input must be refused cleanly, not crash the receiver.',
  }),
};

/** The forgeries the fuzzer draws; `n` parameterises the ones that have a position or a length. */
export const FUZZ_FORGERIES = [
  'missing-signature',
  'missing-timestamp',
  'wrong-secret',
  'changed-timestamp',
  'empty-digest',
  'truncated',
  'flipped',
  'other-body',
  'tampered',
] as const satisfies readonly ForgeryKind[];

export interface FuzzCase {
  event: WebhookEvent;
  class: CaseClass;
  draft: Draft;
  /** Forged cases: how the signature is forged, a position or length, and the other body's draft (`other-body` only). */
  forgery?: { kind: (typeof FUZZ_FORGERIES)[number]; n: number; other?: Draft };
}

const CLASS_WEIGHTS: Record<CaseClass, number> = { valid: 3, 'edge-zoom': 3, 'edge-hostile': 2, forged: 3, invalid: 1 };

/** Random cases over the events, in the given classes (all by default). */
export function caseArbitrary(generator: DeliveryGenerator, events: readonly WebhookEvent[], classes: readonly CaseClass[] = CASE_CLASSES): fc.Arbitrary<FuzzCase> {
  // The per-event arbitrary is built once: chain calls this for every case it draws.
  const perEvent = new Map<WebhookEvent, fc.Arbitrary<FuzzCase>>();
  return fc.constantFrom(...events).chain((event) => {
    const cached = perEvent.get(event);
    if (cached) return cached;
    const options: { weight: number; arbitrary: fc.Arbitrary<FuzzCase> }[] = [];
    const add = (kind: CaseClass, arbitrary: fc.Arbitrary<FuzzCase>) => {
      if (classes.includes(kind)) options.push({ weight: CLASS_WEIGHTS[kind], arbitrary });
    };
    const valid = generator.draftArbitrary(event, 'valid');
    add('valid', valid.map((draft) => ({ event, class: 'valid', draft })));
    add('edge-zoom', generator.draftArbitrary(event, 'edge', 'zoom').map((draft) => ({ event, class: classOfEdge(draft), draft })));
    add('edge-hostile', generator.draftArbitrary(event, 'edge').map((draft) => ({ event, class: classOfEdge(draft), draft })));
    // The other body is drawn last, and only for the forgery that signs it: the draws are those of a record of all
    // four (the same bytes for a seed), without building a whole second body for the eight forgeries that need none.
    add(
      'forged',
      fc
        .record({ draft: valid, kind: fc.constantFrom(...FUZZ_FORGERIES), n: fc.nat(1_000_000) }, { noNullPrototype: true })
        .chain(({ draft, kind, n }): fc.Arbitrary<FuzzCase> => {
          const forged = (other?: Draft): FuzzCase => ({ event, class: 'forged', draft, forgery: { kind, n, ...(other ? { other } : {}) } });
          return kind === 'other-body' ? valid.map(forged) : fc.constant(forged());
        }),
    );
    add('invalid', generator.draftArbitrary(event, 'invalid').map((draft) => ({ event, class: 'invalid', draft })));
    const arbitrary = fc.oneof(...options);
    perEvent.set(event, arbitrary);
    return arbitrary;
  });
}

/** An edge draft is judged by the edges it really carries (the Zoom flavor may draw none; the full one, Zoom's). */
function classOfEdge(draft: Draft): CaseClass {
  return draftTraits(draft).zoomPlausible ? 'edge-zoom' : 'edge-hostile';
}

export interface BuiltCase {
  fuzzCase: FuzzCase;
  check: Check;
  delivery: Delivery;
  /** The exact bytes sent. */
  body: Buffer;
  signature: SignatureSpec;
}

/** The bytes and the signature of a case (materializing claims a fresh event_ts in the run). */
export function buildCase(generator: DeliveryGenerator, fuzzCase: FuzzCase): BuiltCase {
  const delivery = generator.materialize(fuzzCase.event, fuzzCase.draft);
  const check = FUZZ_CHECKS[fuzzCase.class];
  const base = { fuzzCase, check, delivery };
  const forgery = fuzzCase.forgery;
  if (!forgery) return { ...base, body: delivery.body, signature: { kind: 'valid' } };
  switch (forgery.kind) {
    case 'truncated':
      return { ...base, body: delivery.body, signature: { kind: 'truncated', length: forgery.n % 64 } };
    case 'flipped':
      return { ...base, body: delivery.body, signature: { kind: 'flipped', index: forgery.n % 64 } };
    case 'other-body': {
      if (!forgery.other) throw new Error('internal: an other-body forgery without the other body');
      const other = generator.materialize(fuzzCase.event, forgery.other).body;
      return { ...base, body: delivery.body, signature: { kind: 'other-body', otherBody: other } };
    }
    case 'tampered':
      return { ...base, body: changeByte(delivery.body, forgery.n), signature: { kind: 'tampered', signedBody: delivery.body } };
    default:
      return { ...base, body: delivery.body, signature: { kind: forgery.kind } };
  }
}

/** The body with the byte at `position` (modulo its length) replaced by another printable byte. */
export function changeByte(body: Buffer, position: number): Buffer {
  const copy = Buffer.from(body);
  if (copy.length === 0) return Buffer.from(' ');
  const at = position % copy.length;
  const byte = copy[at]!;
  copy[at] = byte >= 0x7e || byte < 0x20 ? 0x21 : byte + 1;
  return copy;
}

/** What the case must get, judged on its exchange (a case of the class, sent signed per `signature`). */
export function judgeCase(built: { class: CaseClass; signature: SignatureSpec }, exchange: Exchange): Verdict {
  switch (built.class) {
    case 'valid':
    case 'edge-zoom':
    case 'edge-hostile':
      return isAcknowledged(exchange.response?.status)
        ? { status: 'pass' }
        : { status: 'fail', reason: `${outcome(exchange)}; expected 200 or 204 within the deadline` };
    case 'forged':
      return is2xx(exchange) ? { status: 'fail', reason: `a forgery (${describeSignature(built.signature)}) was accepted: ${outcome(exchange)}` } : { status: 'pass' };
    case 'invalid':
      return is5xx(exchange) || exchange.error
        ? { status: 'fail', reason: `${outcome(exchange)}; a broken body must be refused cleanly (4xx), not crash the receiver` }
        : { status: 'pass' };
  }
}

export function describeSignature(spec: SignatureSpec): string {
  switch (spec.kind) {
    case 'truncated':
      return `signature truncated to ${spec.length} hex digits`;
    case 'flipped':
      return `hex digit ${spec.index} of the signature changed`;
    case 'tampered':
      return 'one byte of the body changed after signing';
    case 'other-body':
      return 'the signature of another body';
    default:
      return spec.kind.replace(/-/g, ' ');
  }
}
