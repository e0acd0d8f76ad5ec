/**
 * The event_ts a run has taken are kept in a compact hash table (a long fuzz takes one per delivery): it must answer
 * exactly as a Set does, near its origin and far from it, through every resize.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TakenTimestamps } from '../generators/taken-timestamps.js';

const ORIGIN = Date.UTC(2026, 5, 1);

describe('taken timestamps', () => {
  it('answers exactly as a Set, for values near the origin, far from it and not integers', () => {
    const value = fc.oneof(
      fc.integer({ min: ORIGIN - 1000, max: ORIGIN + 7 * 86_400_000 }),
      fc.integer({ min: ORIGIN, max: ORIGIN + 50 }),
      fc.constantFrom(ORIGIN - 2 ** 31 + 1, ORIGIN + 2 ** 31 - 1, ORIGIN - 2 ** 31, ORIGIN + 2 ** 31, 0, -5, 1.5, Number.MAX_SAFE_INTEGER),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), value), { maxLength: 400 }), (operations) => {
        const taken = new TakenTimestamps(ORIGIN);
        const reference = new Set<number>();
        for (const [add, ts] of operations) {
          expect(taken.has(ts)).toBe(reference.has(ts));
          if (add) {
            taken.add(ts);
            reference.add(ts);
          }
          expect(taken.size).toBe(reference.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('holds a hundred thousand values through its resizes, and nothing else', () => {
    const taken = new TakenTimestamps(ORIGIN);
    for (let index = 0; index < 100_000; index++) taken.add(ORIGIN + index * 7);
    expect(taken.size).toBe(100_000);
    for (let index = 0; index < 100_000; index++) {
      expect(taken.has(ORIGIN + index * 7)).toBe(true);
      expect(taken.has(ORIGIN + index * 7 + 1)).toBe(false);
    }
  });
});
