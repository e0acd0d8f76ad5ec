/**
 * The event_ts a run has taken are kept in a compact hash table (a long fuzz takes one per delivery): it must answer
 * exactly as a Set does, near its origin and far from it, through every resize. Claiming gives the smallest value
 * not taken from the candidate up, as stepping one by one does, without stepping through values claimed before.
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

  it('claims the smallest value not taken from the candidate up, exactly as stepping one by one does', () => {
    const candidate = fc.oneof(fc.integer({ min: ORIGIN, max: ORIGIN + 40 }), fc.constantFrom(ORIGIN, ORIGIN + 10, ORIGIN + 2 ** 31 - 3, 1.5));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), candidate), { maxLength: 300 }), (operations) => {
        const taken = new TakenTimestamps(ORIGIN);
        const reference = new Set<number>();
        for (const [claim, value] of operations) {
          if (claim) {
            let expected = value;
            while (reference.has(expected)) expected++;
            reference.add(expected);
            expect(taken.claim(value)).toBe(expected);
          } else {
            taken.add(value);
            reference.add(value);
          }
          expect(taken.size).toBe(reference.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('claims one value again and again in constant time, not in time growing with the claims before', () => {
    // A lifecycle claims the same few event_ts on every occurrence. Stepping through the values taken before would
    // cost 50,000 * 50,000 / 2 lookups here (seconds); each claim starts where the last one ended.
    const taken = new TakenTimestamps(ORIGIN);
    const started = performance.now();
    for (let index = 0; index < 50_000; index++) expect(taken.claim(ORIGIN + 5)).toBe(ORIGIN + 5 + index);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
