/**
 * World references: the leaves of a generated tree whose value comes from the run's world (its ids, its clock),
 * drawn without the world and resolved against it when the tree is finalized (`finalizeTree`).
 *
 * This is what lets the compiled arbitraries be shared by every run of a process (building them is most of a run's
 * setup): an arbitrary draws which item of a world list, or how far into a time window around the world's epoch,
 * and each run reads the item or the time off its own world. The draws are those the world's values were drawn
 * with, so a seed sends the same bytes: fast-check's `constantFrom` of n values draws an index in [0, n-1]
 * whatever the values, and its `integer` in [min, max] draws min + f(max - min), its bias ranges too as long as
 * min >= 0 (every window starts in 2026: see `biasNumericRange` in fast-check and `uniformInt` in pure-rand).
 */
import fc from 'fast-check';
import { clamp, fitLength } from './value-bounds.js';
import { WORLD_SIZE, type Meeting, type World } from './world.js';

/** A list of the world: its accounts, its people's ids, names and emails, its meetings' and sessions' ids. */
export type WorldList =
  | 'account-id'
  | 'user-id'
  | 'participant-uuid'
  | 'email'
  | 'person-name'
  | 'meeting-number'
  | 'meeting-number-text'
  | 'meeting-uuid'
  | 'session-id'
  | 'session-key'
  | 'rtms-stream-id';

/** A time window around the world's epoch, and how a time in it is written. */
export type WorldWindow = 'date-time' | 'date' | 'timestamp-ms' | 'event-ts';

/** Bounds the schema sets at the leaf's place, applied to the value once resolved (see value-bounds.ts). */
export type WorldFit = { length: { min: number; max: number | undefined } } | { range: { min: number | undefined; max: number | undefined } };

const DAY_MS = 86_400_000;

/** A meeting or webinar by its index in the meetings followed by the webinars. */
function meetingAt(world: World, index: number): Meeting | undefined {
  return index < world.meetings.length ? world.meetings[index] : world.webinars[index - world.meetings.length];
}

const LISTS: Record<WorldList, { size: number; item: (world: World, index: number) => string | number | undefined }> = {
  'account-id': { size: WORLD_SIZE.accounts, item: (world, index) => world.accounts[index] },
  'user-id': { size: WORLD_SIZE.people, item: (world, index) => world.people[index]?.userId },
  'participant-uuid': { size: WORLD_SIZE.people, item: (world, index) => world.people[index]?.participantUuid },
  email: { size: WORLD_SIZE.people, item: (world, index) => world.people[index]?.email },
  'person-name': {
    size: WORLD_SIZE.people,
    item: (world, index) => {
      const person = world.people[index];
      return person && `${person.firstName} ${person.lastName}`;
    },
  },
  'meeting-number': { size: WORLD_SIZE.meetings + WORLD_SIZE.webinars, item: (world, index) => meetingAt(world, index)?.number },
  'meeting-number-text': {
    size: WORLD_SIZE.meetings + WORLD_SIZE.webinars,
    item: (world, index) => {
      const meeting = meetingAt(world, index);
      return meeting && String(meeting.number);
    },
  },
  'meeting-uuid': { size: WORLD_SIZE.meetings + WORLD_SIZE.webinars, item: (world, index) => meetingAt(world, index)?.uuid },
  'session-id': { size: WORLD_SIZE.sessions, item: (world, index) => world.sessions[index]?.sessionId },
  'session-key': { size: WORLD_SIZE.sessions, item: (world, index) => world.sessions[index]?.sessionKey },
  'rtms-stream-id': { size: WORLD_SIZE.streams, item: (world, index) => world.rtmsStreamIds[index] },
};

/** Each window: where it starts relative to the epoch, how long it is, and how a time in it is written. */
const WINDOWS: Record<WorldWindow, { from: number; span: number; write: (ms: number) => string | number }> = {
  'date-time': { from: -30 * DAY_MS, span: 60 * DAY_MS, write: zoomDateTime },
  date: { from: -30 * DAY_MS, span: 60 * DAY_MS, write: (ms) => zoomDateTime(ms).slice(0, 10) },
  'timestamp-ms': { from: -30 * DAY_MS, span: 60 * DAY_MS, write: (ms) => ms },
  /** A body's `event_ts`: the week after the epoch. */
  'event-ts': { from: 0, span: 7 * DAY_MS, write: (ms) => ms },
};

/** ISO 8601 as Zoom writes it: seconds precision, `Z` (what `new Date(ms - (ms % 1000)).toISOString()` gives, without its `.000`). */
export function zoomDateTime(ms: number): string {
  // A body holds dozens of times and a run writes thousands of bodies: the date is written once per day, the time of
  // day from the seconds (Date and toISOString cost several times more). Outside years 1970 to 9999, Date writes it.
  if (!(ms >= 0 && ms < LAST_FAST_MS)) return new Date(ms - (ms % 1000)).toISOString().replace('.000Z', 'Z');
  const seconds = Math.floor(ms / 1000);
  const day = Math.floor(seconds / 86_400);
  let date = DAYS.get(day);
  if (date === undefined) {
    if (DAYS.size >= 4096) DAYS.clear();
    date = new Date(day * DAY_MS).toISOString().slice(0, 11);
    DAYS.set(day, date);
  }
  const time = seconds - day * 86_400;
  return `${date}${twoDigits(Math.floor(time / 3600))}:${twoDigits(Math.floor(time / 60) % 60)}:${twoDigits(time % 60)}Z`;
}

/** `YYYY-MM-DDT` by days since the epoch (the days of a few runs' windows; cleared if it ever grows large). */
const DAYS = new Map<number, string>();
/** 10000-01-01T00:00:00Z: from here on a year has five digits. */
const LAST_FAST_MS = Date.UTC(10_000, 0, 1);

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** A leaf whose value the run's world gives: an item of one of its lists, or a time in one of its windows. */
export class WorldRef {
  constructor(
    readonly source: WorldList | WorldWindow,
    /** The item's index in its list, or the time's offset (ms) from its window's start. */
    readonly at: number,
    readonly fit?: WorldFit,
  ) {}

  /** The same reference, its value brought within the bounds once resolved. */
  within(fit: WorldFit): WorldRef {
    return new WorldRef(this.source, this.at, fit);
  }

  /** The value this reference takes in a world. */
  resolve(world: World): string | number {
    const value = isWindow(this.source)
      ? WINDOWS[this.source].write(world.epochMs + WINDOWS[this.source].from + this.at)
      : LISTS[this.source].item(world, this.at);
    if (value === undefined) throw new Error(`internal: the world has no ${this.source} number ${this.at}`);
    const fit = this.fit;
    if (!fit) return value;
    if ('length' in fit) return typeof value === 'string' ? fitLength(value, fit.length.min, fit.length.max) : value;
    return typeof value === 'number' ? clamp(value, fit.range.min, fit.range.max) : value;
  }
}

function isWindow(source: WorldList | WorldWindow): source is WorldWindow {
  return source in WINDOWS;
}

/** The arbitraries of references, made once per list and window (every run and every field of the role shares them). */
const ITEMS = new Map<WorldList, fc.Arbitrary<WorldRef>>();
const TIMES = new Map<WorldWindow, fc.Arbitrary<WorldRef>>();

/** An item of a world list, drawn as `fc.constantFrom(...list)` draws (an index). */
export function worldItem(list: WorldList): fc.Arbitrary<WorldRef> {
  let arbitrary = ITEMS.get(list);
  if (!arbitrary) {
    arbitrary = fc.constantFrom(...Array.from({ length: LISTS[list].size }, (_, index) => new WorldRef(list, index)));
    ITEMS.set(list, arbitrary);
  }
  return arbitrary;
}

/** A time in a world window, drawn as `fc.integer` over the window draws (an offset from its start). */
export function worldTime(window: WorldWindow): fc.Arbitrary<WorldRef> {
  let arbitrary = TIMES.get(window);
  if (!arbitrary) {
    arbitrary = fc.integer({ min: 0, max: WINDOWS[window].span }).map((offset) => new WorldRef(window, offset));
    TIMES.set(window, arbitrary);
  }
  return arbitrary;
}
