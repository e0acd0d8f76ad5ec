/**
 * Zoom's date-times (seconds precision, `Z`) are written without a Date per value, and exactly as Date writes them:
 * for any time, the text is `new Date(ms - (ms % 1000)).toISOString()` without its `.000`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zoomDateTime } from '../generators/world-refs.js';

const byDate = (ms: number) => new Date(ms - (ms % 1000)).toISOString().replace('.000Z', 'Z');

describe('zoom date-times', () => {
  it('match Date for any time of years 0 to 275759, and at the edges of days, years and the fast range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }), (ms) => {
        expect(zoomDateTime(ms)).toBe(byDate(ms));
      }),
      { numRuns: 20_000 },
    );
    const edges = [0, 999, 1000, 86_399_999, 86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2026, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10_000, 0, 1), -1, -1000, -86_400_001];
    for (const ms of edges) expect(zoomDateTime(ms)).toBe(byDate(ms));
  });

  it('match Date for every second-ish step across a run window', () => {
    const start = Date.UTC(2026, 4, 1) - 30 * 86_400_000;
    for (let ms = start; ms < start + 60 * 86_400_000; ms += 7_919_333) expect(zoomDateTime(ms)).toBe(byDate(ms));
  });
});
