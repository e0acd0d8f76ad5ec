import { describe, expect, it } from 'vitest';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { SchemaValidator } from '../specs/schema-validator.js';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { availableLifecycles, buildLifecycle, LIFECYCLES, type LifecycleKind } from '../generators/lifecycles.js';

const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);
const validator = new SchemaValidator();

describe('correlated ids within a run', () => {
  it('every delivery of a run has a distinct event_ts', () => {
    const generator = new DeliveryGenerator(11);
    const timestamps: number[] = [];
    for (const event of events) {
      for (const mode of ['valid', 'edge'] as const) {
        for (const delivery of generator.generate(event, mode, 4)) timestamps.push(delivery.eventTs!);
      }
    }
    expect(timestamps.every((ts) => Number.isSafeInteger(ts))).toBe(true);
    expect(new Set(timestamps).size).toBe(timestamps.length);
  });

  it('account, host and meeting ids come from the run world, so events about the same things share them', () => {
    const generator = new DeliveryGenerator(12);
    const world = generator.world;
    const meetingNumbers = new Set([...world.meetings, ...world.webinars].map((meeting) => String(meeting.number)));
    const seenAccounts = new Set<string>();
    for (const name of ['meeting.created', 'meeting.started', 'meeting.ended', 'recording.completed', 'webinar.started']) {
      const event = events.find((candidate) => candidate.name === name)!;
      for (const delivery of generator.generate(event, 'valid', 10)) {
        const payload = (delivery.value as any).payload;
        seenAccounts.add(payload.account_id);
        expect(world.accounts).toContain(payload.account_id);
        expect(meetingNumbers.has(String(payload.object.id))).toBe(true);
        expect(world.people.map((person) => person.userId)).toContain(payload.object.host_id);
      }
    }
    expect(seenAccounts.size).toBeGreaterThan(0);
    expect(seenAccounts.size).toBeLessThanOrEqual(world.accounts.length);
  });

  it('meeting numbers have 9 to 11 digits and instance uuids look like Zoom\'s (base64 of 16 bytes)', () => {
    const world = new DeliveryGenerator(13).world;
    for (const meeting of [...world.meetings, ...world.webinars]) {
      expect(String(meeting.number)).toMatch(/^\d{9,11}$/);
      expect(meeting.uuid).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    }
    for (const person of world.people) expect(person.userId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('lifecycles', () => {
  it('all five lifecycles are available from the bundled specs', () => {
    expect(availableLifecycles(events).sort()).toEqual((Object.keys(LIFECYCLES) as LifecycleKind[]).sort());
  });

  for (const kind of Object.keys(LIFECYCLES) as LifecycleKind[]) {
    it(`${kind}: valid deliveries in order, with consistent ids and increasing event_ts`, () => {
      const generator = new DeliveryGenerator(21);
      const lifecycle = buildLifecycle(generator, kind, events, 0);
      expect(lifecycle.deliveries.map((delivery) => delivery.event)).toEqual([...LIFECYCLES[kind]]);
      const stamps = lifecycle.deliveries.map((delivery) => delivery.eventTs!);
      expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
      expect(new Set(stamps).size).toBe(stamps.length);
      for (const delivery of lifecycle.deliveries) {
        const event = events.find((candidate) => candidate.name === delivery.event)!;
        const value = JSON.parse(delivery.body.toString('utf8'));
        expect(validator.validate(event.body.schema, value), delivery.event).toEqual([]);
        if (value.payload.account_id !== undefined) expect(value.payload.account_id).toBe(lifecycle.entity.accountId);
        else expect(kind.endsWith('rtms')).toBe(true); // meeting.rtms_* bodies carry no account_id
        const object = value.payload.object;
        if (kind === 'meeting' || kind === 'webinar') {
          expect(String(object.id)).toBe(String(lifecycle.entity.meetingNumber));
          expect(object.uuid).toBe(lifecycle.entity.meetingUuid);
          if (object.host_id !== undefined) expect(object.host_id).toBe(lifecycle.entity.hostId);
          if (object.participant?.user_name !== undefined) expect(object.participant.user_name).toBe(lifecycle.entity.participantName);
        }
        if (kind === 'session' || kind === 'session-rtms') {
          if (object?.session_id !== undefined) expect(object.session_id).toBe(lifecycle.entity.sessionId);
          if (value.payload.session_id !== undefined) expect(value.payload.session_id).toBe(lifecycle.entity.sessionId);
        }
        if (kind.endsWith('rtms') && value.payload.rtms_stream_id !== undefined) expect(value.payload.rtms_stream_id).toBe(lifecycle.entity.rtmsStreamId);
        if (kind === 'meeting-rtms' && value.payload.meeting_uuid !== undefined) expect(value.payload.meeting_uuid).toBe(lifecycle.entity.meetingUuid);
      }
    });
  }

  it('lifecycles of one run never share an event_ts with each other or with other deliveries', () => {
    const generator = new DeliveryGenerator(22);
    const stamps = [
      ...buildLifecycle(generator, 'meeting', events, 0).deliveries,
      ...buildLifecycle(generator, 'meeting', events, 1).deliveries,
      ...generator.generate(events[0]!, 'valid', 20),
    ].map((delivery) => delivery.eventTs);
    expect(new Set(stamps).size).toBe(stamps.length);
  });
});
