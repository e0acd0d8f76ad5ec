import { describe, expect, it } from 'vitest';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { EDGE_KINDS, INVALID_KINDS } from '../generators/edge-kinds.js';

const SEED = 7;
const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);

function countKinds(mode: 'edge' | 'invalid', perEvent: number): Map<string, number> {
  const generator = new DeliveryGenerator(SEED);
  const counts = new Map<string, number>();
  for (const event of events) {
    for (const delivery of generator.generate(event, mode, perEvent)) {
      for (const note of delivery.edges) counts.set(note.kind, (counts.get(note.kind) ?? 0) + 1);
    }
  }
  return counts;
}

describe('every kind of edge and breakage occurs in generated output (fixed seed)', () => {
  const edgeCounts = countKinds('edge', 8);
  const invalidCounts = countKinds('invalid', 8);

  for (const kind of Object.keys(EDGE_KINDS)) {
    it(`edge kind ${kind} occurs`, () => {
      expect(edgeCounts.get(kind) ?? 0).toBeGreaterThan(0);
    });
  }
  for (const kind of Object.keys(INVALID_KINDS)) {
    it(`invalid kind ${kind} occurs`, () => {
      expect(invalidCounts.get(kind) ?? 0).toBeGreaterThan(0);
    });
  }

  it('edge deliveries name no kind outside the registry', () => {
    expect([...edgeCounts.keys()].filter((kind) => !(kind in EDGE_KINDS))).toEqual([]);
    expect([...invalidCounts.keys()].filter((kind) => !(kind in INVALID_KINDS))).toEqual([]);
  });

  it('a large edge body approaches 1 MB', () => {
    const generator = new DeliveryGenerator(SEED);
    const event = events.find((candidate) => candidate.name === 'recording.completed')!;
    const largest = Math.max(...generator.generate(event, 'edge', 60).map((delivery) => delivery.body.length));
    expect(largest).toBeGreaterThan(500_000);
    expect(largest).toBeLessThanOrEqual(1_048_576);
  });
});
