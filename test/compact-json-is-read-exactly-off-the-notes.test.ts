/**
 * Whether a body is compact JSON (its bytes are exactly JSON.stringify(JSON.parse(body)), what a receiver that
 * re-serializes before verifying computes over) is read off a generated delivery's notes instead of parsing every
 * body: the two answers agree for every event and mode of the bundled specs; and the exact answer is right on the
 * encodings that matter (key order survives re-serialization, whitespace, escapes and integers beyond 2^53 do not).
 */
import { describe, expect, it } from 'vitest';
import { isCompactDelivery, isCompactJson } from '../generators/compact-json.js';
import { DeliveryGenerator, MODES } from '../generators/deliveries.js';
import { encode, COMPACT } from '../generators/encodings.js';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';

const EVENTS = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);

describe('compact JSON', () => {
  it('read off the notes, agrees with parsing and re-serializing, for every event and mode', () => {
    const generator = new DeliveryGenerator(7);
    let compared = 0;
    const disagreements: string[] = [];
    for (const event of EVENTS) {
      for (const mode of MODES) {
        for (const delivery of generator.generate(event, mode, 5)) {
          compared++;
          const exact = isCompactJson(delivery.body);
          if (isCompactDelivery(delivery) !== exact) disagreements.push(`${event.name} ${mode} [${delivery.edges.map((note) => note.kind).join(', ')}]: exact ${exact}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBe(EVENTS.length * MODES.length * 5);
  });

  it('is exact on the encodings that matter', () => {
    const value = { b: 1, a: 'x/y é', n: [1, 2] };
    const text = (encoding: Partial<typeof COMPACT>) => Buffer.from(encode(value, { ...COMPACT, ...encoding }).text, 'utf8');
    expect(isCompactJson(Buffer.from(JSON.stringify(value)))).toBe(true);
    // JSON.parse keeps the order of the text: another key order is still what re-serialization writes.
    expect(isCompactJson(text({ keyOrder: 'reversed' }))).toBe(true);
    expect(isCompactJson(text({ whitespace: 'spaces' }))).toBe(false);
    expect(isCompactJson(text({ unicodeEscapes: true }))).toBe(false);
    expect(isCompactJson(text({ escapedSlash: true }))).toBe(false);
    expect(isCompactJson(Buffer.from('{"id":9007199254740993}'))).toBe(false);
    expect(isCompactJson(Buffer.from('{"id":9007199254740991}'))).toBe(true);
    // Integer-like keys come first after parsing: reordered, the bytes change.
    expect(isCompactJson(Buffer.from('{"b":1,"1":2}'))).toBe(false);
    expect(isCompactJson(Buffer.from('{"event":'))).toBeUndefined();
    expect(isCompactJson(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toBeUndefined();
  });
});
