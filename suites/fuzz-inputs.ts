/**
 * What a fuzz lane runs: inputs drawn by fast-check (a case, or a lifecycle scenario), and each case prepared
 * (built and signed, ready to send), for the fuzzer (suites/fuzz.ts) and its rounds (suites/fuzz-rounds.ts).
 */
import fc from 'fast-check';
import type { HttpRequest } from '../engine/http.js';
import { retimed, type Delivery, type DeliveryGenerator, type DeliveryNote } from '../generators/deliveries.js';
import { buildLifecycle, buildLifecycleStep, type Lifecycle } from '../generators/lifecycles.js';
import { signedHeaders, type EndpointAuth, type SignatureSpec } from '../profiles/zoom.js';
import type { WebhookEvent } from '../specs/catalog.js';
import type { Check, TraitOptions } from './check.js';
import { buildCase, caseArbitrary, type CaseClass, type FuzzCase } from './fuzz-cases.js';
import { scenarioArbitrary, twinSteps, type LifecycleScenario } from './lifecycle-scenario.js';
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

/** The headers of a POST of `body`, signed per `signature` now. */
function signerHeaders(signer: Signer, body: Buffer, signature: SignatureSpec): Record<string, string> {
  return signedHeaders(signature, { secret: signer.secret, body, ...(signer.auth ? { auth: signer.auth } : {}) });
}

/** A POST of `body` to the target, signed per `signature` now, with its traits. */
export function signedRequest(signer: Signer, body: Buffer, signature: SignatureSpec, label: string, traits: TraitOptions = {}): HttpRequest {
  return {
    method: 'POST',
    url: signer.url,
    headers: signerHeaders(signer, body, signature),
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
  /** Epoch milliseconds when the request was signed. */
  signedAt: number;
}

/**
 * How old a prepared case's signature may be when it is sent. Zoom signs a delivery when it sends it; a case prepared
 * ahead of its turn waits while the ones before it are in flight (up to AHEAD of them, each up to the deadline), and
 * one that waited longer than this is signed again when its turn comes, so that no receiver's freshness window sees
 * an older timestamp than Zoom's would be.
 */
export const SIGNED_FRESH_MS = 1000;

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
    signedAt: Date.now(),
  };
}

/** The case as it is sent `now`: the same, or signed again (same signature spec, a fresh timestamp) when it waited too long. */
export function freshlySigned<T extends PreparedCase>(signer: Signer, prepared: T, now = Date.now()): T {
  if (now - prepared.signedAt <= SIGNED_FRESH_MS) return prepared;
  return { ...prepared, signedAt: now, request: { ...prepared.request, headers: signerHeaders(signer, prepared.body, prepared.signature) } };
}

/**
 * Lifecycles of a kind whose steps serve as twins start at this index (scenarios use 0 to 7): a twin is the same step
 * of another lifecycle of the kind (other people, another meeting), given the step's event_ts.
 */
const TWIN_LIFECYCLES = 100;

/** A lifecycle scenario ready to run: its lifecycle's deliveries, and the twins its commands deliver. */
export interface PreparedScenario {
  value: LifecycleScenario;
  lifecycle: Lifecycle;
  /** Which occurrence of a lifecycle in the run this is (its instance ids are fresh). */
  occurrence: number;
  /** Twins by step: another body of the step's event with the same event_ts. */
  twins: Map<number, Delivery>;
}

/**
 * Builds a scenario's deliveries before it runs: the lifecycle's steps, then the twin of each step the commands
 * deliver a twin of, in the order they first do, which is the order running them would build them in (the same
 * event_ts claimed in the same order).
 */
export function prepareScenario(generator: DeliveryGenerator, events: readonly WebhookEvent[], scenario: LifecycleScenario, occurrence: number): PreparedScenario {
  const lifecycle = buildLifecycle(generator, scenario.kind, events, 1000 + scenario.index, occurrence);
  const prepared: PreparedScenario = { value: scenario, lifecycle, occurrence, twins: new Map() };
  for (const step of twinSteps(scenario, lifecycle.deliveries.length)) scenarioTwin(generator, events, prepared, step);
  return prepared;
}

/** Step `index`'s twin in a prepared scenario (built when first asked for, then kept). */
export function scenarioTwin(generator: DeliveryGenerator, events: readonly WebhookEvent[], prepared: PreparedScenario, index: number): Delivery {
  let twin = prepared.twins.get(index);
  if (!twin) {
    const { kind, index: which } = prepared.value;
    const other = buildLifecycleStep(generator, kind, events, TWIN_LIFECYCLES + which, prepared.occurrence, index);
    twin = retimed(other, prepared.lifecycle.deliveries[index]!.eventTs!);
    prepared.twins.set(index, twin);
  }
  return twin;
}

/** An input ready to run: a case built and signed, or a lifecycle scenario with its deliveries built. */
export type Prepared = ({ kind: 'case' } & PreparedCase) | ({ kind: 'scenario' } & PreparedScenario);
