import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from '../specs/json-schema.js';
import type { SeedDocument, SeedOperation } from '../tools/seeds/model.js';
import { parseCompressed } from '../tools/seeds/parse-compressed.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEED_DIR = path.resolve(ROOT, '../shared/seeds');
/** In CI the seeds must be there: a missing file fails instead of skipping. */
const SEEDS_REQUIRED = process.env.CI === 'true';

interface Seed {
  key: '002' | '003' | '004';
  file: string;
  title: string;
  events: number;
}

const SEEDS: readonly Seed[] = [
  { key: '002', file: '002_6b9eacb24a593404.txt', title: 'Meetings', events: 105 },
  { key: '003', file: '003_3a4f923fa839eb6d.txt', title: 'QSS', events: 14 },
  { key: '004', file: '004_17f9908e24c66fad.txt', title: 'RTMS', events: 14 },
];

function seed(key: Seed['key']): Seed {
  const found = SEEDS.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`unknown seed ${key}`);
  return found;
}

function seedPath(entry: Seed): string {
  return path.resolve(SEED_DIR, entry.file);
}

/** Skip when the seed is absent, unless CI requires it (then the test runs and fails on the missing file). */
function absent(key: Seed['key']): boolean {
  return !SEEDS_REQUIRED && !existsSync(seedPath(seed(key)));
}

const texts = new Map<string, string>();
const documents = new Map<string, SeedDocument>();

function text(key: Seed['key']): string {
  const entry = seed(key);
  let value = texts.get(key);
  if (value === undefined) {
    const file = seedPath(entry);
    if (!existsSync(file)) throw new Error(`seed ${file} is missing (CI=true requires every seed)`);
    value = readFileSync(file, 'utf8');
    texts.set(key, value);
  }
  return value;
}

function parsed(key: Seed['key']): SeedDocument {
  let document = documents.get(key);
  if (!document) {
    document = parseCompressed(text(key));
    documents.set(key, document);
  }
  return document;
}

function operation(key: Seed['key'], event: string): SeedOperation {
  const found = parsed(key).operations.find((candidate) => candidate.path === event);
  if (!found) throw new Error(`${key}: no event ${event}`);
  return found;
}

/** The request body schema at a dotted path; `[]` steps into array items, `|0` into the first anyOf branch. */
function at(key: Seed['key'], event: string, dotted: string): JsonSchema {
  const body = operation(key, event).requestBody;
  if (!body) throw new Error(`${key} ${event}: no request body`);
  let schema: JsonSchema = body.schema;
  for (const step of dotted.split('.').filter(Boolean)) {
    const name = step.replace(/(\[\]|\|0)+$/, '');
    const next = name === '' ? schema : schema.properties?.[name];
    if (!next) throw new Error(`${key} ${event}: no property ${step} in ${dotted}`);
    schema = next;
    for (const modifier of step.slice(name.length).match(/\[\]|\|0/g) ?? []) {
      const inner: JsonSchema | undefined = modifier === '[]' ? schema.items : schema.anyOf?.[0];
      if (!inner) throw new Error(`${key} ${event}: ${step} has no ${modifier}`);
      schema = inner;
    }
  }
  return schema;
}

describe.each(SEEDS)('compressed seed $key ($title)', (entry) => {
  it.skipIf(absent(entry.key))(
    `yields exactly ${entry.events} POST operations, one per "POST <event>" heading, distinct and in source order`,
    () => {
      const headings = [...text(entry.key).matchAll(/^POST (\S+)$/gm)].map((match) => match[1]);
      const document = parsed(entry.key);
      expect(headings).toHaveLength(entry.events);
      expect(document.operations.map((op) => op.path)).toEqual(headings);
      expect(new Set(headings).size).toBe(entry.events);
      for (const op of document.operations) {
        expect(op.method).toBe('post');
        expect(op).not.toHaveProperty('summary');
      }
    },
  );

  it.skipIf(absent(entry.key))('takes title, OpenAPI version and API version from the header, and no servers', () => {
    const document = parsed(entry.key);
    expect({ title: document.title, openapi: document.openapi, version: document.version, servers: document.servers }).toEqual({
      title: entry.title,
      openapi: '3.1.0',
      version: '1.0.0',
      servers: [],
    });
  });

  it.skipIf(absent(entry.key))('takes each event\'s tags from its "<event> - Tags: <tag>" line', () => {
    const stated = [...text(entry.key).matchAll(/^(\S+) - Tags: (.+)$/gm)].map((match) => [match[1], [match[2]]]);
    expect(parsed(entry.key).operations.map((op) => [op.path, op.tags])).toEqual(stated);
  });

  it.skipIf(absent(entry.key))(
    'gives every event a JSON request body with schema and example, and keeps the 200 response body with its example',
    () => {
      for (const op of parsed(entry.key).operations) {
        const body = op.requestBody;
        expect(body?.contentType, op.path).toBe('application/json');
        expect(body?.schema.type, op.path).toBe('object');
        expect(body?.example, op.path).toBeTypeOf('object');
        expect(op.responses.map((response) => response.status), op.path).toEqual(['200']);
        const content = op.responses[0]?.content;
        expect(content?.contentType, op.path).toBe('application/json');
        // In these three documents the 200 response repeats the body verbatim; the parser keeps it.
        expect(content?.schema, op.path).toEqual(body?.schema);
        expect(content?.example, op.path).toEqual(body?.example);
      }
    },
  );
});

describe('compressed seeds: spot checks of the schemas', () => {
  it.skipIf(absent('004'))('004 meeting.rtms_stopped: nested payload with required list, int format and integer enum', () => {
    expect(operation('004', 'meeting.rtms_stopped').requestBody?.schema).toEqual({
      type: 'object',
      properties: {
        event: { type: 'string' },
        event_ts: { type: 'integer', format: 'int64' },
        payload: {
          type: 'object',
          properties: {
            meeting_uuid: { type: 'string' },
            rtms_stream_id: { type: 'string' },
            stop_reason: { type: 'integer', format: 'int', enum: [1, 2, 3, 4, 7, 8, 9, 10, 11] },
          },
          required: ['meeting_uuid', 'rtms_stream_id', 'stop_reason'],
        },
      },
      required: ['event', 'event_ts', 'payload'],
    });
  });

  it.skipIf(absent('004'))('004 rtms.concurrency_limited: an object field with no listed children is a bare object', () => {
    expect(at('004', 'rtms.concurrency_limited', 'payload')).toEqual({
      type: 'object',
      properties: {
        concurrency_number: { type: 'integer' },
        id_field: { type: 'object' },
        operator_id: { type: 'string' },
      },
      required: ['concurrency_number', 'id_field', 'operator_id'],
    });
  });

  it.skipIf(absent('002'))(
    '002 webinar.deleted: "Items:" then "Any of:" gives array items with anyOf; siblings after it stay in the parent',
    () => {
      const object = at('002', 'webinar.deleted', 'payload.object');
      expect(Object.keys(object.properties ?? {})).toEqual([
        'host_id',
        'id',
        'type',
        'uuid',
        'duration',
        'occurrences',
        'start_time',
        'timezone',
        'topic',
      ]);
      expect(object.required).toEqual(['host_id', 'id', 'type', 'uuid']);
      expect(object.properties?.occurrences).toEqual({
        type: 'array',
        items: {
          anyOf: [
            {
              type: 'object',
              properties: {
                occurrence_id: { type: 'string' },
                start_time: { type: 'string', format: 'date-time' },
              },
              required: ['occurrence_id', 'start_time'],
            },
          ],
        },
      });
      expect(object.properties?.type).toEqual({ type: 'integer', enum: [5, 6, 9] });
      expect(object.properties?.duration).toEqual({ type: 'integer' });
      expect(at('002', 'webinar.deleted', 'payload.operation')).toEqual({ type: 'string', enum: ['all', 'single'] });
      expect(at('002', 'webinar.deleted', 'payload').required).toEqual(['account_id', 'object', 'operator']);
    },
  );

  it.skipIf(absent('002'))('002 keeps odd formats exactly as written ("email or name", "string")', () => {
    expect(at('002', 'webinar.chat_message_file_downloaded', 'payload.operator')).toEqual({
      type: 'string',
      format: 'email or name',
    });
    expect(at('002', 'meeting.aic_transcript_completed', 'payload.object.attach_type')).toEqual({
      type: 'string',
      format: 'string',
    });
    expect(at('002', 'meeting.aic_transcript_completed', 'payload.object.file_id')).toEqual({
      type: 'string',
      format: 'string',
    });
  });

  it.skipIf(absent('002'))('002 reads typed defaults and quoted enum values that contain commas', () => {
    expect(at('002', 'recording.registration_created', 'payload.object.registrant.status')).toEqual({
      type: 'string',
      enum: ['approved', 'denied', 'pending', 'all'],
      default: 'all',
    });
    expect(at('002', 'webinar.updated', 'payload.object.recurrence.end_times')).toEqual({ type: 'integer', default: 1 });
    expect(at('002', 'recording.registration_created', 'payload.object.registrant.no_of_employees')).toEqual({
      type: 'string',
      enum: ['', '1-20', '21-50', '51-100', '101-250', '251-500', '501-1,000', '1,001-5,000', '5,001-10,000', 'More than 10,000'],
    });
  });

  it.skipIf(absent('002'))('002 arrays of scalars: items carry type and enum; an array with no "Items:" stays a bare array', () => {
    expect(at('002', 'meeting.alert', 'payload.object.issues')).toEqual({
      type: 'array',
      items: {
        type: 'string',
        enum: [
          'Unstable audio quality',
          'Unstable video quality',
          'Unstable screen share quality',
          'High CPU occupation',
          'Call Reconnection',
        ],
      },
    });
    expect(at('002', 'meeting.ai_companion_assets_deleted', 'payload.object.ai_companion')).toEqual({
      type: 'object',
      properties: { deleted_assets: { type: 'array', items: { type: 'string', enum: ['transcripts', 'summaries'] } } },
      required: ['deleted_assets'],
    });
    expect(at('002', 'webinar.chat_message_sent', 'payload.object.chat_message.file_ids')).toEqual({
      type: 'array',
      items: { type: 'string' },
    });
    expect(at('002', 'recording.batch_deleted', 'payload.object.meetings[]')).toEqual({
      type: 'object',
      properties: { meeting_uuid: { type: 'string' }, recording_file_ids: { type: 'array' } },
    });
  });

  it.skipIf(absent('002'))('002 registrant custom_questions without "Any of:" is a plain array of objects', () => {
    // "This has a limit of 128 characters" on `value` is a stated length limit.
    expect(at('002', 'recording.registration_created', 'payload.object.registrant.custom_questions')).toEqual({
      type: 'array',
      items: { type: 'object', properties: { title: { type: 'string' }, value: { type: 'string', maxLength: 128 } } },
    });
    expect(at('002', 'meeting.registration_created', 'payload.object.registrant.custom_questions')).toEqual({
      type: 'array',
      items: {
        anyOf: [
          {
            type: 'object',
            properties: { title: { type: 'string' }, value: { type: 'string', maxLength: 128 } },
            required: ['title', 'value'],
          },
        ],
      },
    });
  });

  it.skipIf(absent('003'))('003 webinar.participant_data: array of objects, then the siblings of the array', () => {
    const participant = at('003', 'webinar.participant_data', 'payload.object.participant');
    expect(Object.keys(participant.properties ?? {})).toEqual(['data', 'participant_id', 'email', 'participant_user_id']);
    expect(participant.required).toEqual(['data', 'participant_id']);
    expect(participant.properties?.email).toEqual({ type: 'string', format: 'email' });
    const item = at('003', 'webinar.participant_data', 'payload.object.participant.data[]');
    expect(item.type).toBe('object');
    expect(item.required).toBeUndefined();
    expect(Object.keys(item.properties ?? {})).toEqual([
      'as_internal_ip_address',
      'as_internal_ip_port',
      'audio_internal_ip_address',
      'audio_internal_ip_port',
      'camera',
      'connection_type',
      'data_center',
      'destination_ip_domain',
      'destination_ip_port',
      'device',
      'domain',
      'harddisk_id',
      'location',
      'mac_addr',
      'microphone',
      'network_type',
      'pc_name',
      'signaling_internal_ip_address',
      'signaling_internal_ip_port',
      'signaling_ip_address',
      'speaker',
      'version',
      'video_internal_ip_address',
      'video_internal_ip_port',
    ]);
    expect(item.properties?.video_internal_ip_port).toEqual({ type: 'string' });
    expect(at('003', 'webinar.participant_data', 'payload.object.uuid')).toEqual({ type: 'string' });
  });

  it.skipIf(absent('003'))('003 meeting.participant_data: a field whose text says "Deprecated" is deprecated', () => {
    const item = at('003', 'meeting.participant_data', 'payload.object.participant.data[]');
    expect(item.properties?.Location).toEqual({ type: 'string', deprecated: true });
    expect(item.properties?.location).toEqual({ type: 'string' });
    expect(item.properties?.device).toEqual({ type: 'string', enum: ['Phone', 'H.323/SIP', 'Windows', 'Mac', 'iOS', 'Android'] });
  });

  it.skipIf(absent('003'))('003 phone.call_qos_summary: arrays of objects nested in arrays of objects', () => {
    expect(at('003', 'phone.call_qos_summary', 'event')).toEqual({ type: 'string', enum: ['phone.call_qos_summary'] });
    const callQos = at('003', 'phone.call_qos_summary', 'payload.object.call_qos[]');
    expect(Object.keys(callQos.properties ?? {})).toEqual(['qos', 'type', 'user_id', 'user_email']);
    expect(callQos.required).toEqual(['qos', 'type', 'user_id']);
    const qos = at('003', 'phone.call_qos_summary', 'payload.object.call_qos[].qos[]');
    expect(Object.keys(qos.properties ?? {})).toEqual(['date_time', 'details', 'type']);
    expect(qos.properties?.details?.required).toEqual(['avg_loss', 'bitrate', 'jitter', 'max_loss', 'mos', 'network_delay']);
    expect(qos.properties?.details?.properties?.network).toEqual({ type: 'string' });
    expect(at('003', 'phone.call_qos_summary', 'payload.object').required).toEqual([
      'call_end_time',
      'call_id',
      'call_qos',
      'call_start_time',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Structural self-check: every example key is declared at the same nesting, with a matching JSON type.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(actual: string, schema: JsonSchema): boolean {
  if (schema.type === undefined) return true;
  const declared = Array.isArray(schema.type) ? schema.type : [schema.type];
  return declared.some((type) => type === actual || (type === 'number' && actual === 'integer'));
}

function conformance(value: Json, schema: JsonSchema, where: string, problems: string[]): void {
  if (schema.anyOf) {
    const results = schema.anyOf.map((alternative) => {
      const found: string[] = [];
      conformance(value, alternative, where, found);
      return found;
    });
    if (results.some((found) => found.length === 0)) return;
    const fewest = results.reduce((best, found) => (found.length < best.length ? found : best));
    problems.push(...fewest);
    return;
  }
  const actual = jsonType(value);
  if (!typeMatches(actual, schema)) {
    problems.push(`${where}: example has ${actual}, schema declares ${String(schema.type)}`);
    return;
  }
  if (Array.isArray(value)) {
    if (!schema.items) {
      if (value.length > 0) problems.push(`${where}: example has array elements, schema declares no items`);
      return;
    }
    for (const element of value) conformance(element, schema.items, `${where}[]`, problems);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'additionalProperty') continue;
      const property = schema.properties?.[key];
      const path = where ? `${where}.${key}` : key;
      if (!property) {
        problems.push(`${path}: example key not declared`);
        continue;
      }
      conformance(child, property, path, problems);
    }
  }
}

interface Contradiction {
  seed: string;
  event: string;
  /** Which examples show it. */
  in: string;
  problem: string;
}

function contradictions(key: Seed['key']): Contradiction[] {
  const out: Contradiction[] = [];
  for (const op of parsed(key).operations) {
    const byProblem = new Map<string, string[]>();
    const contents = [
      ['request', op.requestBody] as const,
      ...op.responses.map((response) => [`response ${response.status}`, response.content] as const),
    ];
    for (const [label, content] of contents) {
      if (!content) continue;
      if (content.example === undefined) throw new Error(`${key} ${op.path} ${label}: no example to check`);
      const problems: string[] = [];
      conformance(content.example as Json, content.schema, '', problems);
      for (const problem of problems) byProblem.set(problem, [...(byProblem.get(problem) ?? []), label]);
    }
    for (const [problem, labels] of byProblem) out.push({ seed: key, event: op.path, in: labels.join(' + '), problem });
  }
  return out;
}

/** Where the source contradicts its own example. Each entry says why it is the source, not the parser. */
const KNOWN_CONTRADICTIONS: readonly (Contradiction & { reason: string })[] = [
  {
    seed: '003',
    event: 'webinar.participant_qos',
    in: 'request + response 200',
    problem: 'payload.object.participant.qos[].details.quality: example has null, schema declares object',
    reason: 'source line "qualityobject -" declares an object with no children; the example shows null (other QSS events declare quality as a string enum)',
  },
  ...(['session.user_qos_summary', 'webinar.participant_qos_summary', 'meeting.participant_qos_summary'] as const).flatMap(
    (event) =>
      (['max_rssi', 'avg_rssi', 'min_rssi'] as const).map((field) => ({
        seed: '003',
        event,
        in: 'request + response 200',
        problem: `payload.object.${event.startsWith('session') ? 'user' : 'participant'}.qos[].details.${field}: example has string, schema declares integer`,
        reason: `source declares "${field}integer" but the example gives a quoted number such as "-35" (the non-summary events declare it as string)`,
      })),
  ),
  {
    seed: '004',
    event: 'rtms.concurrency_limited',
    in: 'request + response 200',
    problem: 'payload.id_field.meeting_uuid: example key not declared',
    reason: 'source line "id_field(required)object -" lists no children; the example fills id_field with meeting_uuid',
  },
];

describe('compressed seeds: structural self-check of every example against its schema', () => {
  it.skipIf(absent('002') || absent('003') || absent('004'))(
    'every example key is declared at the same nesting with a matching JSON type, except the listed source contradictions',
    () => {
      const found = SEEDS.flatMap((entry) => contradictions(entry.key));
      const expected = KNOWN_CONTRADICTIONS.map(({ reason: _reason, ...rest }) => rest);
      const sortKey = (item: Contradiction): string => `${item.seed} ${item.event} ${item.problem}`;
      expect([...found].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
        [...expected].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
      );
      for (const item of KNOWN_CONTRADICTIONS) expect(item.reason.length).toBeGreaterThan(20);
    },
  );

  it.skipIf(absent('002') || absent('003') || absent('004'))(
    'the check itself catches an undeclared key and a wrong type (it is not vacuous)',
    () => {
      const schema = at('004', 'meeting.rtms_stopped', '');
      const problems: string[] = [];
      conformance({ event: '', event_ts: '1', payload: { meeting_uuid: '', surprise: 1 } }, schema, '', problems);
      expect(problems).toEqual([
        'event_ts: example has string, schema declares integer',
        'payload.surprise: example key not declared',
      ]);
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Rules the three seeds do not exercise, on a small synthetic document in the same rendering.

function syntheticDocument(bodyLines: string[]): string {
  return [
    'Demo',
    '- OpenAPI Version:',
    '3.1.0 - API Version:',
    '2.0.0',
    'Operations',
    'POST demo.event',
    '- Method:',
    'POST - Path:',
    'demo.event - Tags: demo',
    'Request Body',
    'Content-Type: application/json',
    ...bodyLines,
    'Example:',
    '{',
    '"name": ""',
    '}',
    'Responses',
    'Status: 200',
  ].join('\n');
}

describe('parseCompressed on a synthetic document', () => {
  it('takes maxLength from "maximum length of N characters" but not from a length in bytes', () => {
    const document = parseCompressed(
      syntheticDocument([
        '-',
        'name(required)string— An ID, up to a maximum length of 35 characters. -',
        'headerstring— Each has a maximum length of 256 bytes.',
      ]),
    );
    const op = document.operations[0];
    expect(document).toMatchObject({ title: 'Demo', openapi: '3.1.0', version: '2.0.0', servers: [] });
    expect(op?.responses).toEqual([{ status: '200' }]);
    expect(op?.requestBody).toEqual({
      contentType: 'application/json',
      schema: {
        type: 'object',
        properties: { name: { type: 'string', maxLength: 35 }, header: { type: 'string' } },
        required: ['name'],
      },
      example: { name: '' },
    });
  });

  it('throws naming the event and the line when a field line has an unknown type', () => {
    expect(() => parseCompressed(syntheticDocument(['-', 'name(required)string -', 'countmap— A count.']))).toThrow(
      /event demo\.event, line 14: not a field line.*countmap/,
    );
  });

  it('throws naming the event and the line when a scalar field opens a nested list', () => {
    expect(() => parseCompressed(syntheticDocument(['-', 'name(required)string— A name.-', 'innerstring']))).toThrow(
      /event demo\.event, line 13: a nested list opened by a string field/,
    );
  });

  it('throws when a possible value does not fit the field type', () => {
    expect(() => parseCompressed(syntheticDocument(['-', 'levelinteger, possible values:"high", "low"— A level.']))).toThrow(
      /event demo\.event, line 13: possible value high is not a integer/,
    );
  });
});
