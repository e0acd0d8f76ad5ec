/**
 * Correlated ids: the accounts, people, meetings, webinars, sessions and media streams of one run.
 *
 * A run draws its world once from its seed; every delivery of the run takes its ids from it, so that events about
 * the same meeting carry the same meeting id, uuid and host, and lifecycles (created, started, joined, left,
 * ended, recording completed) can be told as Zoom would tell them.
 */
import fc from 'fast-check';

export interface Person {
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  /** The id a participant has within one meeting instance (Zoom's `participant_uuid`). */
  participantUuid: string;
}

export interface Meeting {
  /** The meeting number: 9 to 11 digits. */
  number: number;
  /** The instance uuid: base64 of 16 bytes; may begin with `/` or contain `//`, as Zoom's do. */
  uuid: string;
  topic: string;
  hostIndex: number;
}

export interface Session {
  sessionId: string;
  sessionKey: string;
  sessionName: string;
  hostIndex: number;
}

export interface World {
  accounts: string[];
  people: Person[];
  meetings: Meeting[];
  webinars: Meeting[];
  sessions: Session[];
  rtmsStreamIds: string[];
  /** Start of the run's clock, in ms since the epoch: event timestamps and date-times cluster after it. */
  epochMs: number;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const HEX = '0123456789abcdef';

export const FIRST_NAMES = ['Ada', 'Bilal', 'Chen', 'Dana', 'Emeka', 'Farah', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Keiko', 'Luis', 'Maya', 'Noor', 'Olga', 'Priya'];
export const LAST_NAMES = ['Lovelace', 'Haddad', 'Wei', 'Scully', 'Okafor', 'Nasser', 'Hopper', 'Tanaka', 'Moreau', 'Berg', 'Sato', 'Garcia', 'Patel', 'Rahman', 'Ivanova', 'Nair'];
export const TOPICS = [
  'Weekly sync',
  'Design review',
  'Quarterly planning',
  '1:1 catch-up',
  'All hands',
  'Customer demo',
  'Sprint retrospective',
  'Interview loop',
  'Office hours',
  'Launch readiness',
  'Board meeting',
  'Onboarding session',
];

/** A Zoom-style 22-character id (user, account, registrant ids). */
export const zoomId = (): fc.Arbitrary<string> => fixedString(ID_ALPHABET, 22);

/** A Zoom-style instance uuid: base64 of 16 bytes (24 characters ending in `==`). */
export const instanceUuid = (): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('base64'));

/** An RFC 4122 uuid in upper case, as Zoom writes participant uuids. */
export const upperUuid = (): fc.Arbitrary<string> => fc.uuid({ version: 4 }).map((uuid) => uuid.toUpperCase());

export const hexId = (length: number): fc.Arbitrary<string> => fixedString(HEX, length);

/** Arbitraries of fixed-length strings, made once per alphabet and length (making one costs far more than drawing from it). */
const FIXED_STRINGS = new Map<string, fc.Arbitrary<string>>();

export function fixedString(alphabet: string, length: number): fc.Arbitrary<string> {
  const key = `${length}\u0000${alphabet}`;
  let arbitrary = FIXED_STRINGS.get(key);
  if (!arbitrary) {
    arbitrary = fc.string({ unit: fc.constantFrom(...alphabet), minLength: length, maxLength: length });
    FIXED_STRINGS.set(key, arbitrary);
  }
  return arbitrary;
}

/** A meeting number of 9 to 11 digits. */
export const meetingNumber = (): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min: 100_000_000, max: 999_999_999 }), fc.integer({ min: 1_000_000_000, max: 99_999_999_999 }));

function personArbitrary(): fc.Arbitrary<Person> {
  return fc
    .record(
      { userId: zoomId(), first: fc.nat(FIRST_NAMES.length - 1), last: fc.nat(LAST_NAMES.length - 1), participantUuid: upperUuid(), tag: fc.nat(99) },
      { noNullPrototype: true },
    )
    .map(({ userId, first, last, participantUuid, tag }) => {
      const firstName = FIRST_NAMES[first]!;
      const lastName = LAST_NAMES[last]!;
      return { userId, firstName, lastName, participantUuid, email: `${firstName}.${lastName}${tag}@example.com`.toLowerCase() };
    });
}

function meetingArbitrary(people: number): fc.Arbitrary<Meeting> {
  return fc.record(
    { number: meetingNumber(), uuid: instanceUuid(), topic: fc.constantFrom(...TOPICS), hostIndex: fc.nat(people - 1) },
    { noNullPrototype: true },
  );
}

/** How many of each a world holds (world-refs.ts draws indices into these lists). */
export const WORLD_SIZE = { accounts: 2, people: 8, meetings: 4, webinars: 2, sessions: 3, streams: 3 };
/** Run clocks start within 2026 (deterministic from the seed, not from the wall clock). */
const EPOCH_MIN = Date.UTC(2026, 0, 1);
const EPOCH_MAX = Date.UTC(2026, 11, 1);

export function worldArbitrary(): fc.Arbitrary<World> {
  const { accounts, people, meetings, webinars, sessions, streams } = WORLD_SIZE;
  return fc.record(
    {
      accounts: fc.array(zoomId(), { minLength: accounts, maxLength: accounts }),
      people: fc.array(personArbitrary(), { minLength: people, maxLength: people }),
      meetings: fc.array(meetingArbitrary(people), { minLength: meetings, maxLength: meetings }),
      webinars: fc.array(meetingArbitrary(people), { minLength: webinars, maxLength: webinars }),
      sessions: fc.array(
        fc.record(
          {
            sessionId: instanceUuid(),
            sessionKey: fc.tuple(fc.constantFrom('room', 'class', 'clinic', 'support'), fc.nat(9999)).map(([word, n]) => `${word}-${n}`),
            sessionName: fc.constantFrom(...TOPICS),
            hostIndex: fc.nat(people - 1),
          },
          { noNullPrototype: true },
        ),
        { minLength: sessions, maxLength: sessions },
      ),
      rtmsStreamIds: fc.array(hexId(32), { minLength: streams, maxLength: streams }),
      epochMs: fc.integer({ min: EPOCH_MIN, max: EPOCH_MAX }).map((ms) => ms - (ms % 1000)),
    },
    { noNullPrototype: true },
  );
}

/** The world of a run, drawn deterministically from its seed. */
export function createWorld(seed: number): World {
  return fc.sample(fc.noBias(worldArbitrary()), { seed, numRuns: 1 })[0]!;
}
