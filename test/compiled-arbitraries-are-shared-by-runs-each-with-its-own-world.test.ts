/**
 * A process compiles each event's arbitraries once (issue 16: building them cost a run 100-200 ms): the arbitraries
 * hold references to a world, not a world, so a second run with another seed builds none of them and still sends
 * its own world's ids and times. Nothing else of a run is shared: a seed sends the same bytes whatever ran before it.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeliveryGenerator, MODES, type Delivery } from '../generators/deliveries.js';
import { ArbitraryBuilder, edgesIn, finalizeTree, hasEdge, VALID_POLICY } from '../generators/schema-arbitrary.js';
import { WorldRef } from '../generators/world-refs.js';
import type { World } from '../generators/world.js';
import { loadBundledSpec, type WebhookEvent } from '../specs/catalog.js';

const events = loadBundledSpec('meetings').events;
const byName = (name: string) => events.find((event) => event.name === name)!;
const SAMPLE = ['meeting.started', 'meeting.participant_joined', 'recording.completed', 'webinar.ended'].map(byName);

/** Spies on the builder's compilation of a node arbitrary (the costly step the sharing saves). */
function countBuilds() {
  return vi.spyOn(ArbitraryBuilder.prototype as unknown as { build: () => unknown }, 'build');
}

function bodies(generator: DeliveryGenerator): string[] {
  return SAMPLE.flatMap((event) => MODES.flatMap((mode) => generator.generate(event, mode, 6).map((delivery) => delivery.body.toString('base64'))));
}

/** The account ids, meeting numbers and event_ts a delivery carries (valid deliveries of meeting events). */
function idsOf(delivery: Delivery): { account: string; meeting: string; eventTs: number } {
  const value = delivery.value as { payload: { account_id: string; object: { id: number | string } }; event_ts: number };
  return { account: value.payload.account_id, meeting: String(value.payload.object.id), eventTs: value.event_ts };
}

function meetingNumbers(world: World): Set<string> {
  return new Set([...world.meetings, ...world.webinars].map((meeting) => String(meeting.number)));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('compiled arbitraries are shared by the runs of a process', () => {
  it('a second generator, with another seed, gets the same draft arbitraries and compiles no node', () => {
    const first = new DeliveryGenerator(101);
    const builds = countBuilds();
    const arbitraries = SAMPLE.flatMap((event) => [...MODES.map((mode) => first.draftArbitrary(event, mode)), first.draftArbitrary(event, 'edge', 'zoom')]);
    bodies(first);
    // The spy sees compilation: the first generator compiled the sample's nodes.
    expect(builds.mock.calls.length).toBeGreaterThan(50);
    builds.mockClear();

    const second = new DeliveryGenerator(202);
    const again = SAMPLE.flatMap((event) => [...MODES.map((mode) => second.draftArbitrary(event, mode)), second.draftArbitrary(event, 'edge', 'zoom')]);
    bodies(second);
    expect(again).toHaveLength(arbitraries.length);
    again.forEach((arbitrary, index) => expect(arbitrary).toBe(arbitraries[index]));
    expect(second.builder(VALID_POLICY)).toBe(first.builder(VALID_POLICY));
    expect(builds).not.toHaveBeenCalled();
  });

  it('each run still sends its own world: its accounts, its meetings, its clock', () => {
    const first = new DeliveryGenerator(303);
    const second = new DeliveryGenerator(404);
    expect(second.world.epochMs).not.toBe(first.world.epochMs);
    for (const generator of [first, second]) {
      const other = generator === first ? second : first;
      for (const event of ['meeting.started', 'meeting.ended'].map(byName)) {
        for (const delivery of generator.generate(event, 'valid', 20)) {
          const { account, meeting, eventTs } = idsOf(delivery);
          expect(generator.world.accounts).toContain(account);
          expect(other.world.accounts).not.toContain(account);
          expect(meetingNumbers(generator.world).has(meeting)).toBe(true);
          expect(meetingNumbers(other.world).has(meeting)).toBe(false);
          // event_ts: in the week after the run's epoch (moved up by at most a few ms where two deliveries collide).
          expect(eventTs).toBeGreaterThanOrEqual(generator.world.epochMs);
          expect(eventTs).toBeLessThanOrEqual(generator.world.epochMs + 7 * 86_400_000 + 1000);
        }
      }
    }
  });

  it('a seed sends the same bytes whatever runs came before it in the process (the event_ts set stays per run)', () => {
    const alone = bodies(new DeliveryGenerator(505));
    bodies(new DeliveryGenerator(606));
    const after = bodies(new DeliveryGenerator(505));
    expect(after).toEqual(alone);
    expect(bodies(new DeliveryGenerator(606))).not.toEqual(alone);
  });

  it("a referenced value is brought within its schema's bounds once resolved; walkers take a reference for a leaf", () => {
    // A user's event whose ids are narrower than the world's: an account id of at most 6 characters, a meeting
    // number of at most 1000 (the world's are of 9 to 11 digits), a start time.
    const event: WebhookEvent = {
      system: 'custom',
      name: 'meeting.narrowed',
      tags: [],
      deprecated: false,
      body: {
        contentType: 'application/json',
        schema: {
          type: 'object',
          required: ['event', 'event_ts', 'payload'],
          properties: {
            event: { type: 'string' },
            event_ts: { type: 'integer' },
            payload: {
              type: 'object',
              required: ['account_id', 'object'],
              properties: {
                account_id: { type: 'string', maxLength: 6 },
                object: {
                  type: 'object',
                  required: ['id', 'start_time'],
                  properties: { id: { type: 'integer', maximum: 1000 }, start_time: { type: 'string', format: 'date-time' } },
                },
              },
            },
          },
        },
      },
    };
    for (const seed of [7, 8]) {
      const generator = new DeliveryGenerator(seed);
      const [draft] = fc.sample(generator.draftArbitrary(event, 'valid'), { seed, numRuns: 1 });
      const payload = (draft!.tree as { payload: { account_id: unknown; object: { id: unknown; start_time: unknown } } }).payload;
      expect(payload.account_id).toBeInstanceOf(WorldRef);
      expect(payload.object.id).toBeInstanceOf(WorldRef);
      expect(hasEdge(draft!.tree)).toBe(false);
      expect(edgesIn(draft!.tree)).toEqual([]);
      const { value } = finalizeTree(draft!.tree, generator.world);
      const resolved = (value as { payload: { account_id: string; object: { id: number; start_time: string } } }).payload;
      expect(generator.world.accounts.map((account) => account.slice(0, 6))).toContain(resolved.account_id);
      expect(resolved.object.id).toBe(1000);
      const startMs = Date.parse(resolved.object.start_time);
      expect(Math.abs(startMs - generator.world.epochMs)).toBeLessThanOrEqual(30 * 86_400_000);
      const delivery = generator.materialize(event, draft!);
      expect(delivery.body.toString('utf8')).toBe(JSON.stringify(value).replace(/"event_ts":\d+/, `"event_ts":${delivery.eventTs}`));
    }
  });
});
