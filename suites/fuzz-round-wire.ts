/**
 * What crosses between the fuzzer and the worker that prepares its rounds (suites/fuzz-round-worker.ts): plain data
 * that structured clone copies cheaply, with every body in an ArrayBuffer of its own, transferred rather than copied.
 */
import type { HttpRequest, RequestTraits } from '../engine/http.js';
import type { DeliveryNote } from '../generators/deliveries.js';
import type { LifecycleKind } from '../generators/lifecycles.js';
import type { SignatureSpec } from '../profiles/zoom.js';
import type { WebhookEvent } from '../specs/catalog.js';
import { FUZZ_CHECKS, type CaseClass } from './fuzz-cases.js';
import type { PreparedCase, Signer } from './fuzz-inputs.js';
import type { ScenarioStep } from './lifecycle-scenario.js';

/** What the worker starts with. */
export interface RoundWorkerData {
  events: readonly WebhookEvent[];
  seed: number;
  signer: Signer;
}

/** A round to prepare (`urgent`: a lane waits for it), or one no longer wanted. */
export type ToWorker = { type: 'round'; key: string; seed: number; numRuns: number; urgent: boolean } | { type: 'drop'; key: string };

/** Inputs of a round, in order. */
export interface FromWorker {
  key: string;
  items: WireInput[];
}

export type WireInput = WireCase | { index: number; kind: 'scenario'; scenario: { kind: LifecycleKind; index: number; steps: ScenarioStep[] } };

type WireSignature =
  | Exclude<SignatureSpec, { kind: 'other-body' } | { kind: 'tampered' }>
  | { kind: 'other-body'; otherBody: Uint8Array }
  | { kind: 'tampered'; signedBody: Uint8Array };

export interface WireCase {
  index: number;
  kind: 'case';
  system: string;
  event: string;
  class: CaseClass;
  signature: WireSignature;
  eventTs: number | undefined;
  edges: DeliveryNote[];
  body: Uint8Array;
  label: string;
  method: string;
  headers: Record<string, string>;
  traits: RequestTraits | undefined;
}

/** The bytes in an ArrayBuffer of their own (a small Buffer shares Node's pool), listed for transfer. */
function own(bytes: Buffer, transfer: ArrayBuffer[]): Uint8Array {
  const alone = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer && !transfer.includes(bytes.buffer);
  const copy = alone ? bytes : new Uint8Array(bytes);
  transfer.push(copy.buffer as ArrayBuffer);
  return copy;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toWire(index: number, prepared: PreparedCase, transfer: ArrayBuffer[]): WireCase {
  const { signature } = prepared;
  const wireSignature: WireSignature =
    signature.kind === 'other-body'
      ? { kind: 'other-body', otherBody: own(signature.otherBody, transfer) }
      : signature.kind === 'tampered'
        ? { kind: 'tampered', signedBody: own(signature.signedBody, transfer) }
        : signature;
  return {
    index,
    kind: 'case',
    system: prepared.event.system,
    event: prepared.event.name,
    class: prepared.class,
    signature: wireSignature,
    eventTs: prepared.eventTs,
    edges: prepared.edges,
    body: own(prepared.body, transfer),
    label: prepared.label,
    method: prepared.request.method,
    headers: prepared.request.headers,
    traits: prepared.request.traits,
  };
}

/** The prepared case again, with this thread's own event object (looked up by system and name). */
export function fromWire(wire: WireCase, events: ReadonlyMap<string, WebhookEvent>, url: string): PreparedCase {
  const event = events.get(eventKey(wire.system, wire.event));
  if (!event) throw new Error(`internal: the round worker prepared a case of an unknown event ${wire.event}`);
  const signature: SignatureSpec =
    wire.signature.kind === 'other-body'
      ? { kind: 'other-body', otherBody: asBuffer(wire.signature.otherBody) }
      : wire.signature.kind === 'tampered'
        ? { kind: 'tampered', signedBody: asBuffer(wire.signature.signedBody) }
        : wire.signature;
  const body = asBuffer(wire.body);
  const request: HttpRequest = { method: wire.method, url, headers: wire.headers, body, label: wire.label, ...(wire.traits ? { traits: wire.traits } : {}) };
  return { event, class: wire.class, check: FUZZ_CHECKS[wire.class], signature, eventTs: wire.eventTs, edges: wire.edges, body, label: wire.label, request };
}

export function eventKey(system: string, name: string): string {
  return `${system}\u0000${name}`;
}
