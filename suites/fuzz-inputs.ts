/**
 * What a fuzz lane runs: inputs drawn by fast-check (a case, or a lifecycle scenario), and each case prepared
 * (built and signed, ready to send), for the fuzzer (suites/fuzz.ts) and its rounds (suites/fuzz-rounds.ts).
 */
import fc from 'fast-check';
import type { HttpRequest } from '../engine/http.js';
import type { DeliveryGenerator, DeliveryNote } from '../generators/deliveries.js';
import { signedHeaders, type EndpointAuth, type SignatureSpec } from '../profiles/zoom.js';
import type { WebhookEvent } from '../specs/catalog.js';
import type { Check, TraitOptions } from './check.js';
import { buildCase, caseArbitrary, type CaseClass, type FuzzCase } from './fuzz-cases.js';
import { scenarioArbitrary, type LifecycleScenario } from './lifecycle-scenario.js';
import { requestTraits } from './request-traits.js';

export type FuzzInput = { kind: 'case'; value: FuzzCase } | { kind: 'scenario'; value: LifecycleScenario };

/** Cases over the events, and lifecycle scenarios (one in thirteen) when the events hold a whole lifecycle. */
export function fuzzInputArbitrary(generator: DeliveryGenerator, events: readonly WebhookEvent[]): fc.Arbitrary<FuzzInput> {
  const scenarios = scenarioArbitrary(events);
  const cases = caseArbitrary(generator, events);
  return scenarios
    ? fc.oneof(
        { weight: 12, arbitrary: cases.map((value): FuzzInput => ({ kind: 'case', value })) },
        { weight: 1, arbitrary: scenarios.map((value): FuzzInput => ({ kind: 'scenario', value })) },
      )
    : cases.map((value): FuzzInput => ({ kind: 'case', value }));
}

/** Where and how the fuzzer's requests are signed. */
export interface Signer {
  url: string;
  secret: string;
  auth?: EndpointAuth;
}

/** A POST of `body` to the target, signed per `signature` now, with its traits. */
export function signedRequest(signer: Signer, body: Buffer, signature: SignatureSpec, label: string, traits: TraitOptions = {}): HttpRequest {
  return {
    method: 'POST',
    url: signer.url,
    headers: signedHeaders(signature, { secret: signer.secret, body, ...(signer.auth ? { auth: signer.auth } : {}) }),
    body,
    label,
    traits: requestTraits(body, { signature: signature.kind }, traits),
  };
}

/** A case built and signed, ready to send: what the fuzzer needs to send, judge and report it. */
export interface PreparedCase {
  event: WebhookEvent;
  class: CaseClass;
  check: Check;
  signature: SignatureSpec;
  /** The body's event_ts (undefined when it is not JSON) and what makes it interesting. */
  eventTs: number | undefined;
  edges: DeliveryNote[];
  body: Buffer;
  label: string;
  request: HttpRequest;
}

export function prepareCase(generator: DeliveryGenerator, signer: Signer, fuzzCase: FuzzCase): PreparedCase {
  const built = buildCase(generator, fuzzCase);
  const label = `${fuzzCase.class} ${fuzzCase.event.name}`;
  return {
    event: fuzzCase.event,
    class: fuzzCase.class,
    check: built.check,
    signature: built.signature,
    eventTs: built.delivery.eventTs,
    edges: built.delivery.edges,
    body: built.body,
    label,
    request: signedRequest(signer, built.body, built.signature, label, { delivery: built.delivery }),
  };
}

/** An input ready to run: a case built and signed, or a lifecycle scenario (which builds its deliveries as it runs). */
export type Prepared = ({ kind: 'case' } & PreparedCase) | { kind: 'scenario'; value: LifecycleScenario };
