/**
 * Compact JSON: a body whose bytes are exactly `JSON.stringify(JSON.parse(body))`. A receiver that verifies the
 * signature over its own re-serialization of the parsed body (instead of the raw bytes) accepts exactly these
 * bodies and rejects every other one, so the diagnosis of a run needs to know which bodies were compact.
 *
 * Computing it costs a parse and a stringify of every body (about 5% of a full run's time), so for generated
 * deliveries it is read off their notes instead: only other byte encodings (whitespace, `\uXXXX` escapes, escaped
 * slashes) and integers beyond 2^53 (rounded by JSON.parse) change under re-serialization. Key order survives it
 * (JSON.parse keeps the order of the text). A test holds the two answers equal over every event and mode.
 */
import type { Delivery } from './deliveries.js';
import type { EdgeKindId } from './edge-kinds.js';
import { JSON_BREAKS } from './invalid.js';

/** The edge kinds whose bodies JSON.stringify(JSON.parse(body)) writes differently. */
export const RESERIALIZATION_CHANGES: ReadonlySet<string> = new Set<EdgeKindId>([
  'encoding.whitespace',
  'encoding.unicode-escapes',
  'encoding.escaped-slash',
  'int64.above-safe',
  'int64.max',
]);

/** Whether the bytes are exactly JSON.stringify(JSON.parse(bytes)); undefined when they are not JSON (nor UTF-8). */
export function isCompactJson(body: Buffer): boolean | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
  return Buffer.from(JSON.stringify(value), 'utf8').equals(body);
}

/** The same answer as `isCompactJson(delivery.body)` for a generated delivery, from its notes (no parsing). */
export function isCompactDelivery(delivery: Pick<Delivery, 'edges'>): boolean | undefined {
  // A generated body is not JSON exactly when it carries a JSON breakage (its value is then undefined); the value
  // itself is not read: a grown body's value (thousands of items) is made only when read.
  if (delivery.edges.some((note) => NOT_JSON.has(note.kind))) return undefined;
  return !delivery.edges.some((note) => RESERIALIZATION_CHANGES.has(note.kind));
}

/** Breakages that leave a body that is not JSON. */
const NOT_JSON: ReadonlySet<string> = new Set<string>(JSON_BREAKS);
