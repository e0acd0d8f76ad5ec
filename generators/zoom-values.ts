/**
 * What Zoom really puts in a field: the role of a field (recognised from its name, type, format and place), and a
 * realistic value for each role. Ids, names and times come from the run's world, so that they correlate across
 * events: they are drawn as references to it (world-refs.ts), resolved when a tree is finalized, so that the
 * arbitraries are the same for every run and made once per process.
 *
 * This is the Zoom profile of the generators. A field with no recognised role gets a generic value of its type.
 */
import fc from 'fast-check';
import type { JsonSchema } from '../specs/json-schema.js';
import { FIRST_NAMES, LAST_NAMES, TOPICS, fixedString, zoomId } from './world.js';
import { worldItem, worldTime, type WorldRef } from './world-refs.js';

export type FieldRole =
  | 'account-id'
  | 'user-id'
  | 'meeting-number'
  | 'meeting-uuid'
  | 'session-id'
  | 'session-key'
  | 'participant-uuid'
  | 'uuid'
  | 'generic-id'
  | 'rtms-stream-id'
  | 'email'
  | 'first-name'
  | 'last-name'
  | 'person-name'
  | 'topic'
  | 'user-text'
  | 'system-text'
  | 'timezone'
  | 'url'
  | 'ws-urls'
  | 'hostname'
  | 'ip'
  | 'port'
  | 'phone'
  | 'passcode'
  | 'token'
  | 'file-type'
  | 'version'
  | 'mac'
  | 'qos'
  | 'date-time'
  | 'date'
  | 'duration'
  | 'size'
  | 'count'
  | 'timestamp-ms';

/** Where a field sits: its name, its parent object's name, its path from the body root, and the event. */
export interface FieldContext {
  name: string;
  parent: string | undefined;
  path: readonly string[];
  event: string;
}

/** Roles whose values people type: the text a hostile-looking edge can plausibly arrive in. */
export const USER_TEXT_ROLES: ReadonlySet<FieldRole> = new Set(['first-name', 'last-name', 'person-name', 'topic', 'user-text']);
/** Roles that identify something: Zoom does not send them empty or decorated. */
export const ID_ROLES: ReadonlySet<FieldRole> = new Set([
  'account-id',
  'user-id',
  'meeting-number',
  'meeting-uuid',
  'session-id',
  'session-key',
  'participant-uuid',
  'uuid',
  'generic-id',
  'rtms-stream-id',
  'token',
]);

const USER_TEXT_NAMES = new Set([
  'agenda',
  'comments',
  'message_content',
  'value',
  'address',
  'city',
  'state',
  'country',
  'zip',
  'org',
  'job_title',
  'industry',
  'label',
  'summary',
  'summary_overview',
  'summary_content',
  'summary_details',
  'next_steps',
  'stream_description',
  'description',
  'question',
  'answer',
  'title',
]);

const MEETING_EVENT = /^(meeting|webinar|recording)\./;

/** Recognises the role of a field, or undefined when nothing specific is known about it. */
export function fieldRole(context: FieldContext, schema: JsonSchema): FieldRole | undefined {
  const type = primaryType(schema);
  const { name, parent } = context;
  const format = schema.format;
  if (type === 'string') {
    if (format === 'email' || format === 'email or name') return 'email';
    if (format === 'date-time') return 'date-time';
    if (format === 'date') return 'date';
    if (format === 'uri' || format === 'url' || format === 'uri-reference' || format === 'iri') return 'url';
    if (format === 'uuid') return 'uuid';
    if (format === 'ipv4') return 'ip';
    if (format === 'hostname') return 'hostname';
    if (name === 'account_id' || name === 'host_account_id') return 'account-id';
    if (/^(host_id|meeting_host_id|operator_id|user_id|participant_user_id|registrant_id|file_owner_id|parent_user_id|bind_user_id|owner_id|summary_last_modified_user_id)$/.test(name)) return 'user-id';
    if (name === 'participant_uuid' || name === 'bind_participant_uuid') return 'participant-uuid';
    if (name === 'uuid' || /_uuid$/.test(name)) return parent === 'participant' ? 'participant-uuid' : 'meeting-uuid';
    if (name === 'id') {
      if (parent === 'object' && MEETING_EVENT.test(context.event)) return 'meeting-number';
      if (parent === 'participant' || parent === 'registrant' || parent === 'user') return 'user-id';
      return 'generic-id';
    }
    if (/^(meeting_id|webinar_id|parent_meeting_id|meeting_number|pmi)$/.test(name)) return 'meeting-number';
    if (name === 'session_id') return 'session-id';
    if (name === 'session_key' || name === 'user_key' || name === 'customer_key') return 'session-key';
    if (name === 'rtms_stream_id') return 'rtms-stream-id';
    if (name === 'message_id') return 'uuid';
    if (/(^|_)(email)$/.test(name) || name === 'operator') return 'email';
    if (name === 'first_name') return 'first-name';
    if (name === 'last_name') return 'last-name';
    if (/^(user_name|invitee_name|inviter_name|sender_name|recipient_name|display_name|participant_name|name|host_name)$/.test(name)) return 'person-name';
    if (/^(topic|meeting_topic|summary_title|session_name|stream_name|source_name|account_name|pc_name|file_name|sign_language)$/.test(name)) return 'topic';
    if (USER_TEXT_NAMES.has(name)) return 'user-text';
    if (name === 'timezone') return 'timezone';
    if (name === 'server_urls') return 'ws-urls';
    if (/(_|^)url$|_link$/.test(name)) return 'url';
    if (name === 'destination_ip_domain' || name === 'domain' || name === 'data_center') return 'hostname';
    if (/(^|_)ip(_address)?$/.test(name)) return 'ip';
    if (/_port$/.test(name)) return 'port';
    if (/^(phone_number|phone|number|from_number|to_number)$/.test(name)) return 'phone';
    if (/(password|passcode|_pin|^pin|conference_code|pin_code)$/.test(name)) return 'passcode';
    if (/(token|stream_key)$/.test(name)) return 'token';
    if (name === 'file_type' || name === 'file_extension' || name === 'attach_type') return 'file-type';
    if (name === 'version') return 'version';
    if (name === 'mac_addr') return 'mac';
    if (/(loss|bitrate|latency|jitter|frame_rate|cpu_usage|rssi|_quality|quality_score|mos|network_delay|resolution)$/.test(name)) return 'qos';
    if (/^(recording_start|recording_end|start_time|end_time|date_time|join_time|leave_time|auto_delete_date|max_exceed_date|participant_leave_time)$/.test(name)) {
      return 'date-time';
    }
    if (/(_id|_ids)$/.test(name) || name === 'id') return 'generic-id';
    return 'system-text';
  }
  if (type === 'integer' || type === 'number') {
    if (name === 'id' && parent === 'object' && (MEETING_EVENT.test(context.event) || context.event.startsWith('session.'))) return 'meeting-number';
    if (/^(meeting_id|webinar_id|meeting_number|parent_meeting_id)$/.test(name)) return 'meeting-number';
    if (/^(phone_number|from_number|to_number|number)$/.test(name)) return 'phone';
    if (/(pin_code|passcode)$/.test(name)) return 'passcode';
    if (name === 'duration' || name === 'duration_in_second') return 'duration';
    if (/(file_size|total_size|size)$/.test(name)) return 'size';
    if (/(_count|_number|^count|number_of_.*|concurrency_number|end_times|repeat_interval|monthly_day)$/.test(name)) return 'count';
    if (name === 'time_stamp' || name === 'event_ts') return 'timestamp-ms';
    return undefined;
  }
  return undefined;
}

export function primaryType(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null');
  return schema.type;
}

const TIMEZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'];
const FILE_TYPES = ['MP4', 'M4A', 'CHAT', 'TRANSCRIPT', 'CC', 'TIMELINE', 'SUMMARY', 'CSV'];
const WORDS = ['alpha', 'bridge', 'cloud', 'delta', 'ember', 'forum', 'grove', 'harbor', 'island', 'juniper', 'kite', 'lumen', 'meadow', 'nova', 'orbit', 'prism'];

/** A realistic value, or a reference to one in the run's world. */
export type RealisticValue = string | number | WorldRef;

/** The realistic arbitraries by role and type: made once per process, used by every run and every field of the role. */
const REALISTIC = new Map<string, fc.Arbitrary<RealisticValue> | undefined>();

/** A realistic value for a role, or undefined when the role has no specific generator for this type. */
export function realisticArbitrary(role: FieldRole, schema: JsonSchema): fc.Arbitrary<RealisticValue> | undefined {
  const type = primaryType(schema);
  const numeric = type === 'integer' || type === 'number';
  const key = `${role}${numeric ? ' numeric' : ''}`;
  if (REALISTIC.has(key)) return REALISTIC.get(key);
  const arbitrary = makeRealistic(role, numeric);
  REALISTIC.set(key, arbitrary);
  return arbitrary;
}

function makeRealistic(role: FieldRole, numeric: boolean): fc.Arbitrary<RealisticValue> | undefined {
  const pick = <T>(values: T[]) => fc.constantFrom(...values);
  switch (role) {
    case 'account-id':
      return worldItem('account-id');
    case 'user-id':
      return worldItem('user-id');
    case 'participant-uuid':
      return worldItem('participant-uuid');
    case 'meeting-number':
      return worldItem(numeric ? 'meeting-number' : 'meeting-number-text');
    case 'meeting-uuid':
      return worldItem('meeting-uuid');
    case 'session-id':
      return worldItem('session-id');
    case 'session-key':
      return worldItem('session-key');
    case 'rtms-stream-id':
      return worldItem('rtms-stream-id');
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'generic-id':
      return zoomId();
    case 'email':
      return worldItem('email');
    case 'first-name':
      return pick(FIRST_NAMES);
    case 'last-name':
      return pick(LAST_NAMES);
    case 'person-name':
      return worldItem('person-name');
    case 'topic':
      return pick(TOPICS);
    case 'user-text':
    case 'system-text':
      return fc.array(pick(WORDS), { minLength: 1, maxLength: 3 }).map((words) => words.join(' '));
    case 'timezone':
      return pick(TIMEZONES);
    case 'url':
      return fc
        .tuple(pick(['us02web', 'us05web', 'us06web']), fixedString('abcdefghijklmnopqrstuvwxyz0123456789', 12))
        .map(([host, path]) => `https://${host}.zoom.us/rec/share/${path}`);
    case 'ws-urls':
      return pick(['sjc', 'iad', 'ams']).map((site) => `wss://rtms-${site}1.zoom.us/,wss://rtms-${site}2.zoom.us/`);
    case 'hostname':
      return pick(['zoom.us', 'us02web.zoom.us', 'rtms-sjc1.zoom.us']);
    case 'ip':
      return fc.tuple(fc.integer({ min: 10, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((parts) => parts.join('.'));
    case 'port':
      return fc.integer({ min: 1024, max: 65535 }).map(String);
    case 'phone':
      return numeric
        ? fc.integer({ min: 12_000_000_000, max: 19_999_999_999 })
        : fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }).map((digits) => `+1${digits}`);
    case 'passcode':
      return numeric ? fc.integer({ min: 100_000, max: 999_999 }) : fixedString('0123456789', 6);
    case 'token':
      return fixedString('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 40);
    case 'file-type':
      return pick(FILE_TYPES);
    case 'version':
      return fc.tuple(fc.integer({ min: 5, max: 6 }), fc.nat(9), fc.nat(9), fc.integer({ min: 10000, max: 99999 })).map((parts) => parts.join('.'));
    case 'mac':
      return fixedString('0123456789ABCDEF', 12).map((hex) => hex.match(/../g)!.join(':'));
    case 'qos':
      return fc.tuple(fc.nat(99), fc.nat(99), pick(['%', ' kbps', ' ms', ' fps'])).map(([whole, fraction, unit]) => `${whole}.${fraction}${unit}`);
    case 'date-time':
      return worldTime('date-time');
    case 'date':
      return worldTime('date');
    case 'duration':
      return numeric ? fc.integer({ min: 1, max: 240 }) : undefined;
    case 'size':
      return numeric ? fc.integer({ min: 1_000, max: 2_000_000_000 }) : undefined;
    case 'count':
      return numeric ? fc.integer({ min: 1, max: 30 }) : undefined;
    case 'timestamp-ms':
      return numeric ? worldTime('timestamp-ms') : undefined;
  }
}

