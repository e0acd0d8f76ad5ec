/**
 * Latencies are kept as counts per tenth of a millisecond (a long fuzz answers millions of deliveries): the
 * percentiles and the maximum must be exactly those of the full list, at the tenth reports show.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Latencies } from '../engine/latencies.js';
import { latencySummary } from '../reports/summary.js';

/** The definition on the full list: the value at rank ceil(p x n) in order, to a tenth of a millisecond. */
function fromTheList(list: readonly number[]) {
  if (list.length === 0) return null;
  const sorted = [...list].sort((a, b) => a - b);
  const tenth = (ms: number) => Math.round(ms * 10) / 10;
  const at = (fraction: number) => tenth(sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: tenth(sorted[sorted.length - 1]!) };
}

describe('latency percentiles', () => {
  it('from counts per tenth of a millisecond are those of the full list', () => {
    const latency = fc.oneof(fc.double({ min: 0, max: 3100, noNaN: true }), fc.integer({ min: 0, max: 40 }).map((tenths) => tenths / 10 + 0.05), fc.constantFrom(0, 0.04, 0.05, 0.15, 2999.95));
    fc.assert(
      fc.property(fc.array(latency, { maxLength: 300 }), (list) => {
        expect(Latencies.of(list).summary()).toEqual(fromTheList(list));
        expect(latencySummary(list)).toEqual(fromTheList(list));
      }),
      { numRuns: 500 },
    );
  });

  it('keep one count per distinct tenth, however many deliveries were answered', () => {
    const latencies = new Latencies();
    for (let index = 0; index < 1_000_000; index++) latencies.add((index % 5000) / 10);
    expect(latencies.count).toBe(1_000_000);
    expect(latencies.summary()).toEqual({ p50: 249.9, p90: 449.9, p99: 494.9, max: 499.9 });
  });
});
