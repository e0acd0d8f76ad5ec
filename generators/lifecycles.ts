/**
 * Lifecycles: the sequence of events Zoom sends about one meeting, webinar, Video SDK session or media stream,
 * with consistent ids (account, host, meeting number and uuid, session id and key, participant, stream id) and
 * increasing `event_ts`. Suites deliver them in order, out of order and with duplicates.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { WebhookEvent } from '../specs/catalog.js';
import type { Delivery, DeliveryGenerator } from './deliveries.js';
import { deriveSeed } from './deliveries.js';
import { drawn } from './fast-draw.js';
import { toJsonText, type JsonTree } from './json-text.js';
import type { PathPart } from './schema-walk.js';
import { fieldRole, type FieldRole } from './zoom-values.js';
import type { JsonSchema } from '../specs/json-schema.js';

export const LIFECYCLES = {
  meeting: ['meeting.created', 'meeting.started', 'meeting.participant_joined', 'meeting.participant_left', 'meeting.ended', 'recording.completed'],
  webinar: ['webinar.created', 'webinar.started', 'webinar.participant_joined', 'webinar.participant_left', 'webinar.ended', 'recording.completed'],
  session: ['session.started', 'session.user_joined', 'session.user_left', 'session.ended', 'session.recording_completed'],
  'meeting-rtms': ['meeting.started', 'meeting.rtms_started', 'meeting.rtms_stopped', 'meeting.ended'],
  'session-rtms': ['session.started', 'session.rtms_started', 'session.rtms_stopped', 'session.ended'],
} as const;

export type LifecycleKind = keyof typeof LIFECYCLES;

export interface LifecycleEntity {
  accountId: string;
  hostId: string;
  hostEmail: string;
  participantId: string;
  participantName: string;
  participantEmail: string;
  participantUuid: string;
  meetingNumber?: number;
  meetingUuid?: string;
  topic: string;
  sessionId?: string;
  sessionKey?: string;
  rtmsStreamId?: string;
}

export interface Lifecycle {
  kind: LifecycleKind;
  entity: LifecycleEntity;
  /** The deliveries in the order Zoom sends them; `event_ts` increases along it. */
  deliveries: Delivery[];
}

/** Lifecycle kinds whose events are all present in the given events. */
export function availableLifecycles(events: readonly WebhookEvent[]): LifecycleKind[] {
  const names = new Set(events.map((event) => event.name));
  return (Object.keys(LIFECYCLES) as LifecycleKind[]).filter((kind) => LIFECYCLES[kind].every((name) => names.has(name)));
}

const STEP_MS = 60_000;

/**
 * The `index`-th lifecycle of the kind in this run: an entity drawn from the run's world, and one valid delivery per
 * event with the entity's ids written in. An `instance` above 0 is another occurrence of it, with fresh instance ids.
 */
export function buildLifecycle(generator: DeliveryGenerator, kind: LifecycleKind, events: readonly WebhookEvent[], index: number, instance = 0): Lifecycle {
  const plan = planLifecycle(generator, kind, index, instance);
  return { kind, entity: plan.entity, deliveries: LIFECYCLES[kind].map((_, step) => buildStep(generator, events, plan, step)) };
}

/**
 * One step of the `index`-th lifecycle of the kind: the very delivery `buildLifecycle(...).deliveries[step]` gives
 * (given the same event_ts already taken in the run), without building the others.
 */
export function buildLifecycleStep(generator: DeliveryGenerator, kind: LifecycleKind, events: readonly WebhookEvent[], index: number, instance: number, step: number): Delivery {
  return buildStep(generator, events, planLifecycle(generator, kind, index, instance), step);
}

interface LifecyclePlan {
  kind: LifecycleKind;
  entity: LifecycleEntity;
  seed: number;
  /** The first step's event_ts. */
  start: number;
}

function planLifecycle(generator: DeliveryGenerator, kind: LifecycleKind, index: number, instance: number): LifecyclePlan {
  const world = generator.world;
  const seed = deriveSeed(generator.seed, 'lifecycle', kind, String(index));
  const [pick] = fc.sample(fc.tuple(fc.nat(1_000), fc.nat(1_000), fc.nat(1_000)), { seed, numRuns: 1 });
  const [a, b, c] = pick!;
  const isSession = kind.startsWith('session');
  const meeting = kind === 'webinar' ? world.webinars[a % world.webinars.length]! : world.meetings[a % world.meetings.length]!;
  const session = world.sessions[a % world.sessions.length]!;
  const hostIndex = isSession ? session.hostIndex : meeting.hostIndex;
  const host = world.people[hostIndex]!;
  const participant = world.people[(hostIndex + 1 + (b % (world.people.length - 1))) % world.people.length]!;
  const entity: LifecycleEntity = {
    accountId: world.accounts[c % world.accounts.length]!,
    hostId: host.userId,
    hostEmail: host.email,
    participantId: participant.userId,
    participantName: `${participant.firstName} ${participant.lastName}`,
    participantEmail: participant.email,
    participantUuid: participant.participantUuid,
    topic: isSession ? session.sessionName : meeting.topic,
    ...(isSession ? { sessionId: session.sessionId, sessionKey: session.sessionKey } : { meetingNumber: meeting.number, meetingUuid: meeting.uuid }),
    ...(kind.endsWith('rtms') ? { rtmsStreamId: world.rtmsStreamIds[b % world.rtmsStreamIds.length]! } : {}),
  };
  if (instance > 0) Object.assign(entity, freshInstance(entity, seed, instance));
  return { kind, entity, seed, start: world.epochMs + (seed >>> 0) % (3 * 86_400_000) };
}

function buildStep(generator: DeliveryGenerator, events: readonly WebhookEvent[], plan: LifecyclePlan, step: number): Delivery {
  const name = LIFECYCLES[plan.kind][step]!;
  const event = events.find((candidate) => candidate.name === name);
  if (!event) throw new Error(`lifecycle ${plan.kind} needs the event ${name}, which the selected specs do not have`);
  const [draft] = fc.sample(drawn(generator.draftArbitrary(event, 'valid')), { seed: deriveSeed(plan.seed, name, String(step)), numRuns: 1 });
  if (draft?.mode !== 'valid') throw new Error(`internal: a valid draft of ${name} was expected`);
  // The value is written once, with the entity's ids and the step's event_ts in place.
  const value = generator.validValue(draft) as Record<string, JsonTree>;
  bindEntity(event, value, plan.entity);
  value.event_ts = generator.claimTimestamp(plan.start + step * STEP_MS);
  const eventTs = value.event_ts;
  return { system: event.system, event: event.name, mode: 'valid', body: Buffer.from(toJsonText(value), 'utf8'), value, eventTs, edges: [], zoomPlausible: true };
}

/**
 * Another occurrence of the same meeting or session: Zoom gives every occurrence a new instance uuid (session id,
 * stream id), so nothing a receiver remembers about one occurrence applies to the next.
 */
function freshInstance(entity: LifecycleEntity, seed: number, instance: number): Partial<LifecycleEntity> {
  const digest = (label: string) => createHash('sha256').update(`${seed}:${instance}:${label}`).digest();
  return {
    ...(entity.meetingUuid !== undefined ? { meetingUuid: digest('meeting').subarray(0, 16).toString('base64') } : {}),
    ...(entity.sessionId !== undefined ? { sessionId: digest('session').subarray(0, 16).toString('base64') } : {}),
    ...(entity.rtmsStreamId !== undefined ? { rtmsStreamId: digest('stream').subarray(0, 16).toString('hex') } : {}),
  };
}

/**
 * What is known of a schema node for an event, a name and one more name (a parent, or the node's own name), in nested
 * maps: a lifecycle looks up every leaf and object of every step, and a key string built per lookup cost more than
 * the lookup.
 */
type Memo<V> = WeakMap<JsonSchema, Map<string, Map<string, Map<string | undefined, V>>>>;

/** The value memoized for (schema, event, name, last), made by `make` when first asked for. */
function memoized<V>(memo: Memo<V>, schema: JsonSchema, event: string, name: string, last: string | undefined, make: () => V): V {
  let byEvent = memo.get(schema);
  if (!byEvent) memo.set(schema, (byEvent = new Map()));
  let byName = byEvent.get(event);
  if (!byName) byEvent.set(event, (byName = new Map()));
  let byLast = byName.get(name);
  if (!byLast) byName.set(name, (byLast = new Map()));
  if (byLast.has(last)) return byLast.get(last) as V;
  const value = make();
  byLast.set(last, value);
  return value;
}

/** Field roles by schema node, event, name and parent: the same field is bound in every lifecycle of a run. */
const ROLES: Memo<FieldRole | undefined> = new WeakMap();

/** The role of a leaf named `name` whose parent (the nearest property name above it) is `parent`. */
function roleAt(event: string, schema: JsonSchema, name: string, parent: string | undefined): FieldRole | undefined {
  return memoized(ROLES, schema, event, name, parent, () => fieldRole({ name, parent, path: [], event }, schema));
}

/**
 * Writes the entity's ids into every field whose role says it names the entity. The value is walked with its schema
 * as `walkWithSchema` walks it (composite subtrees are not entered), but only into subtrees where some field can name
 * the entity (`mayBind`, known from the schema): a lifecycle binds every step it builds, and most of a body names
 * nothing of it.
 */
export function bindEntity(event: WebhookEvent, value: JsonTree, entity: LifecycleEntity): void {
  const path: PathPart[] = [];
  /** `own`: the last property name on the node's path (its children's parent). */
  const step = (schema: JsonSchema, current: JsonTree, name: string, parent: string | undefined, own: string | undefined): JsonTree | undefined => {
    if (current === null || typeof current !== 'object') {
      // The root itself is never bound.
      if (path.length === 0) return undefined;
      const role = roleAt(event.name, schema, name, parent);
      if (role === undefined) return undefined;
      const replacement = entityValue(role, name, current, path, entity);
      return replacement !== undefined && typeof current === 'number' && typeof replacement === 'string' ? Number(replacement) : replacement;
    }
    if (schema.anyOf || schema.oneOf || schema.allOf) return undefined;
    const plan = planOf(event.name, schema, name, own);
    if (!Array.isArray(current)) {
      for (const [key, child] of plan.properties) {
        if (!(key in current)) continue;
        path.push(key);
        const replacement = step(child, current[key] as JsonTree, key, own, key);
        path.pop();
        if (replacement !== undefined) current[key] = replacement;
      }
    } else if (plan.items) {
      for (let index = 0; index < current.length; index++) {
        path.push(index);
        const replacement = step(plan.items, current[index]!, name, own, own);
        path.pop();
        if (replacement !== undefined) current[index] = replacement;
      }
    }
    return undefined;
  };
  step(event.body.schema, value, '', undefined, undefined);
}

/** What `bindEntity` enters below an object or array node: the properties, and the items, where a field can bind. */
interface BindPlan {
  properties: [string, JsonSchema][];
  items: JsonSchema | undefined;
}

/** Plans by schema node, event, name and own name. */
const PLANS: Memo<BindPlan> = new WeakMap();

function planOf(event: string, schema: JsonSchema, name: string, own: string | undefined): BindPlan {
  return memoized(PLANS, schema, event, name, own, () => ({
    properties: Object.entries(schema.properties ?? {}).filter(([key, child]) => mayBind(event, child, key, own, key)),
    items: schema.items && mayBind(event, schema.items, name, own, own) ? schema.items : undefined,
  }));
}

/** Per schema node, event, name, parent and own name: whether a field at or below it has a role (see `mayBind`). */
const MAY_BIND = new WeakMap<JsonSchema, Map<string, boolean>>();

/**
 * Whether a leaf at or below this schema node (reached with this name and parent; `own`, the last property name on
 * its path) has a role: only then can `bindEntity` write into the subtree. A schema that refers back to itself is
 * assumed to (the walk then enters it, as it would without this).
 */
function mayBind(event: string, schema: JsonSchema, name: string, parent: string | undefined, own: string | undefined, walking = new Set<JsonSchema>()): boolean {
  let byKey = MAY_BIND.get(schema);
  if (!byKey) MAY_BIND.set(schema, (byKey = new Map()));
  const key = `${event}\u0000${name}\u0000${parent ?? '\u0001'}\u0000${own ?? '\u0001'}`;
  const known = byKey.get(key);
  if (known !== undefined) return known;
  if (walking.has(schema)) return true;
  walking.add(schema);
  let result = roleAt(event, schema, name, parent) !== undefined;
  if (!result && !(schema.anyOf || schema.oneOf || schema.allOf)) {
    for (const [child, childSchema] of Object.entries(schema.properties ?? {})) {
      if (mayBind(event, childSchema, child, own, child, walking)) {
        result = true;
        break;
      }
    }
    if (!result && schema.items) result = mayBind(event, schema.items, name, own, own, walking);
  }
  walking.delete(schema);
  byKey.set(key, result);
  return result;
}

/** What the entity writes into a leaf of the role (undefined: the leaf is left as drawn). */
function entityValue(role: FieldRole, name: string, current: JsonTree, path: readonly PathPart[], entity: LifecycleEntity): JsonTree | undefined {
  const inParticipant = () => path.includes('participant') || path.includes('user');
  switch (role) {
    case 'account-id':
      return entity.accountId;
    case 'meeting-number':
      if (entity.meetingNumber === undefined) return undefined;
      return typeof current === 'number' ? entity.meetingNumber : String(entity.meetingNumber);
    case 'meeting-uuid':
      return inParticipant() ? undefined : entity.meetingUuid;
    case 'session-id':
      return entity.sessionId;
    case 'session-key':
      return name === 'session_key' ? entity.sessionKey : undefined;
    case 'rtms-stream-id':
      return entity.rtmsStreamId;
    case 'participant-uuid':
      return entity.participantUuid;
    case 'user-id':
      if (name === 'host_id' || name === 'meeting_host_id' || name === 'operator_id') return entity.hostId;
      return inParticipant() ? entity.participantId : undefined;
    case 'email':
      if (name === 'host_email' || name === 'operator') return entity.hostEmail;
      return inParticipant() ? entity.participantEmail : undefined;
    case 'person-name':
      return inParticipant() ? entity.participantName : undefined;
    case 'topic':
      return name === 'topic' || name === 'session_name' || name === 'meeting_topic' ? entity.topic : undefined;
    default:
      return undefined;
  }
}
