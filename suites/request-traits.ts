/**
 * The traits of a request a probe builds (engine/http.ts RequestTraits): how it was signed, and what its body is.
 * They travel with the exchange into the report, where the diagnosis (findings/) reads them.
 */
import type { RequestTraits } from '../engine/http.js';
import { isCompactDelivery, isCompactJson } from '../generators/compact-json.js';
import type { TraitOptions } from './check.js';

export interface SigningTraits {
  /** `valid`, `unsigned`, or the kind of forgery. */
  signature: string;
  /** Seconds from now to the signed timestamp. */
  timestampOffset?: number;
}

export function requestTraits(body: Buffer | undefined, signing: SigningTraits, options: TraitOptions = {}): RequestTraits {
  const { delivery } = options;
  // The delivery's own bytes: its notes say what they are. Bytes derived from it (re-encoded, tampered) are measured.
  const own = delivery !== undefined && body !== undefined && delivery.body.equals(body);
  const compact = body === undefined || body.length === 0 ? undefined : own ? isCompactDelivery(delivery) : isCompactJson(body);
  const edges = own ? [...new Set(delivery.edges.map((note) => note.kind))].sort() : [];
  const event = options.event ?? delivery?.event;
  return {
    bytes: body?.length ?? 0,
    ...(event !== undefined ? { event } : {}),
    signature: signing.signature,
    ...(signing.timestampOffset ? { timestampOffset: signing.timestampOffset } : {}),
    ...(compact !== undefined ? { compact } : {}),
    ...(edges.length > 0 ? { edges } : {}),
    ...(options.duplicate ? { duplicate: true } : {}),
    ...(options.outOfOrder ? { outOfOrder: true } : {}),
    ...(options.retryAgeMs !== undefined ? { retryAgeMs: Math.round(options.retryAgeMs) } : {}),
    ...(options.simultaneous ? { simultaneous: true } : {}),
  };
}
