import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from '../specs/json-schema.js';
import type { SeedDocument, SeedOperation } from '../tools/seeds/model.js';
import { parseBullets } from '../tools/seeds/parse-bullets.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seedFile = path.resolve(repoRoot, '../shared/seeds/000_982b69dd92c39bc0.txt');
const inCi = process.env.CI === 'true';
// Outside CI a missing source document skips these tests; in CI it must fail them.
const skipSeed = !existsSync(seedFile) && !inCi;

let cached: { text: string; doc: SeedDocument } | undefined;
function seed(): { text: string; doc: SeedDocument } {
  if (!cached) {
    if (!existsSync(seedFile)) throw new Error(`source document missing: ${seedFile}`);
    const text = readFileSync(seedFile, 'utf8');
    cached = { text, doc: parseBullets(text) };
  }
  return cached;
}

function operation(name: string): SeedOperation {
  const found = seed().doc.operations.find((candidate) => candidate.path === name);
  if (!found) throw new Error(`no operation ${name}`);
  return found;
}

/** The request body schema of an event, walked down a dotted path of property names (`[]` steps into items). */
function field(event: string, dotted: string): JsonSchema {
  let schema = operation(event).requestBody!.schema;
  for (const step of dotted.split('.')) {
    const next = step === '[]' ? schema.items : schema.properties?.[step];
    if (!next) throw new Error(`${event}: no ${dotted} (at ${step})`);
    schema = next;
  }
  return schema;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

interface Finding {
  event: string;
  body: string;
  path: string;
  reason: string;
}

/**
 * Walks an example against its schema. `structural` collects what the check must prove (every key declared at
 * its nesting, every value of the declared JSON type, every value within the declared possible values);
 * `missingRequired` collects required properties that the example leaves out.
 */
function checkExample(
  schema: JsonSchema,
  value: unknown,
  at: string,
  report: (kind: 'structural' | 'missingRequired', path: string, reason: string) => void,
): void {
  if (schema.anyOf) {
    const fits = schema.anyOf.some((alternative) => {
      let ok = true;
      checkExample(alternative, value, at, (kind) => {
        if (kind === 'structural') ok = false;
      });
      return ok;
    });
    if (!fits) report('structural', at, 'matches no anyOf alternative');
    return;
  }
  const actual = jsonType(value);
  const declared = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (declared.length > 0 && !declared.some((type) => type === actual || (type === 'number' && actual === 'integer'))) {
    report('structural', at, `example holds ${actual}, field declares ${declared.join('|')}`);
    return;
  }
  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    report('structural', at, `example value ${JSON.stringify(value)} is not a possible value`);
  }
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(record)) {
      if (key === 'additionalProperty') continue;
      const property = schema.properties?.[key];
      if (!property) report('structural', `${at}.${key}`, 'example key that no field declares');
      else checkExample(property, child, `${at}.${key}`, report);
    }
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(record, name)) report('missingRequired', `${at}.${name}`, 'required field absent from the example');
    }
  }
  if (actual === 'array' && schema.items) {
    (value as unknown[]).forEach((element, index) => checkExample(schema.items!, element, `${at}[${index}]`, report));
  }
}

function countProperties(schema: JsonSchema): number {
  let count = 0;
  for (const child of Object.values(schema.properties ?? {})) count += 1 + countProperties(child);
  if (schema.items) count += countProperties(schema.items);
  for (const alternative of schema.anyOf ?? []) count += countProperties(alternative);
  return count;
}

describe('parseBullets on the Video SDK webhooks document (seed 000)', () => {
  it.skipIf(skipSeed)('reads title, OpenAPI version and API version from the header, with no servers', () => {
    const { doc } = seed();
    expect(doc.title).toBe('Video SDK');
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.version).toBe('1.0.0');
    expect(doc.servers).toEqual([]);
  });

  it.skipIf(skipSeed)('yields exactly the 36 distinct events of the "POST <name>" headings, in source order', () => {
    const { text, doc } = seed();
    const headings = [...text.matchAll(/^POST (\S+)$/gm)].map((match) => match[1]);
    expect(headings).toHaveLength(36);
    const names = doc.operations.map((op) => op.path);
    expect(names).toHaveLength(36);
    expect(new Set(names).size).toBe(36);
    expect(names).toEqual(headings);
  });

  it.skipIf(skipSeed)('maps every event to a POST with tag "session", no summary, a JSON body with example, and one 200 response', () => {
    for (const op of seed().doc.operations) {
      expect(op.method).toBe('post');
      expect(op.tags).toEqual(['session']);
      expect(op).not.toHaveProperty('summary');
      expect(op).not.toHaveProperty('deprecated');
      expect(op.requestBody?.contentType).toBe('application/json');
      expect(op.requestBody?.schema.type).toBe('object');
      expect(op.requestBody?.example).toBeTypeOf('object');
      expect(op.responses.map((response) => response.status)).toEqual(['200']);
    }
  });

  it.skipIf(skipSeed)('keeps the 200 response body, which in this document repeats the request body exactly', () => {
    for (const op of seed().doc.operations) {
      expect(op.responses[0]?.content, op.path).toEqual(op.requestBody);
    }
  });

  it.skipIf(skipSeed)('declares one property per field bullet of the source (1136 in request and response bodies)', () => {
    const { text, doc } = seed();
    // Field bullets are indented "• name" or "• name (required)"; the Method/Path/Tags/Version bullets have a colon.
    const bullets = text.match(/^ +• [^\s:]+( \(required\))?$/gm) ?? [];
    expect(bullets).toHaveLength(1136);
    const declared = doc.operations
      .flatMap((op) => [op.requestBody, ...op.responses.map((response) => response.content)])
      .reduce((sum, content) => sum + (content ? countProperties(content.schema) : 0), 0);
    expect(declared).toBe(bullets.length);
  });

  it.skipIf(skipSeed)('nests by indentation, keeps source order, and lists required names in source order (session.user_phone_callout_ringing)', () => {
    const body = operation('session.user_phone_callout_ringing').requestBody!.schema;
    expect(Object.keys(body.properties!)).toEqual(['event', 'event_ts', 'payload']);
    expect(body.required).toEqual(['event', 'event_ts', 'payload']);
    expect(field('session.user_phone_callout_ringing', 'event')).toEqual({ type: 'string' });
    const object = field('session.user_phone_callout_ringing', 'payload.object');
    expect(Object.keys(object.properties!)).toEqual([
      'host_id', 'participant', 'session_id', 'session_key', 'session_name', 'user_key', 'id', 'uuid',
    ]);
    expect(object.required).toEqual(['host_id', 'participant', 'session_id', 'session_key', 'session_name', 'user_key']);
    expect(object.properties!.id).toEqual({ type: 'integer', format: 'int64' });
    expect(field('session.user_phone_callout_ringing', 'payload.object.participant')).toEqual({
      type: 'object',
      properties: {
        from_number: { type: 'integer', format: 'int64' },
        invitee_name: { type: 'string' },
        phone_number: { type: 'integer', format: 'int64' },
      },
      required: ['from_number', 'invitee_name', 'phone_number'],
    });
  });

  it.skipIf(skipSeed)('keeps optional fields out of required and maps date-time formats (session.user_joined user object)', () => {
    expect(field('session.user_joined', 'payload.object.user')).toEqual({
      type: 'object',
      properties: {
        id: { type: 'string' },
        join_time: { type: 'string', format: 'date-time' },
        name: { type: 'string' },
        participant_uuid: { type: 'string' },
        phone_number: { type: 'string' },
        user_key: { type: 'string' },
      },
      required: ['id', 'join_time', 'name', 'participant_uuid'],
    });
  });

  it.skipIf(skipSeed)('types possible values: strings for string fields, numbers for integer fields', () => {
    expect(field('session.recording_started', 'event')).toEqual({ type: 'string', enum: ['session.recording_started'] });
    expect(field('session.user_room_system_callout_failed', 'payload.object.reason_type')).toEqual({
      type: 'integer',
      enum: [0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14],
    });
    // Every `event` field that lists possible values lists exactly its own event name.
    for (const op of seed().doc.operations) {
      const event = op.requestBody!.schema.properties!.event!;
      if (event.enum) expect(event.enum, op.path).toEqual([op.path]);
    }
  });

  it.skipIf(skipSeed)('maps an array of scalars with enum items (session.alert issues)', () => {
    expect(field('session.alert', 'payload.object.issues')).toEqual({
      type: 'array',
      items: {
        type: 'string',
        enum: ['Unstable audio quality', 'Unstable video quality', 'Unstable screen share quality', 'High CPU occupation', 'Call Reconnection'],
      },
    });
    expect(field('session.alert', 'payload.object').required).toEqual(['id', 'issues', 'session_id', 'session_name']);
  });

  it.skipIf(skipSeed)('maps an array of objects whose item fields follow "Items:" (session.recording_summary_completed)', () => {
    expect(operation('session.recording_summary_completed').requestBody!.schema.required).toEqual([
      'download_token', 'event', 'event_ts', 'payload',
    ]);
    expect(field('session.recording_summary_completed', 'payload.object.recording_files')).toEqual({
      type: 'array',
      items: {
        type: 'object',
        properties: {
          download_url: { type: 'string' },
          file_extension: { type: 'string', enum: ['JSON'] },
          file_name: { type: 'string' },
          file_path: { type: 'string' },
          file_size: { type: 'number' },
          file_type: { type: 'string', enum: ['SUMMARY'] },
          id: { type: 'string' },
          recording_end: { type: 'string' },
          recording_start: { type: 'string' },
          recording_type: { type: 'string', enum: ['summary'] },
          status: { type: 'string', enum: ['completed'] },
        },
      },
    });
  });

  it.skipIf(skipSeed)('takes maxLength from "maximum length of 35 characters" in the prose (session.recording_completed user_key)', () => {
    expect(field('session.recording_completed', 'payload.object.participant_audio_files.[].user_key')).toEqual({
      type: 'string',
      maxLength: 35,
    });
    expect(field('session.recording_completed', 'payload.object.participant_audio_files.[].user_id')).toEqual({ type: 'string' });
  });

  it.skipIf(skipSeed)('maps email format, boolean fields and the open-object marker stays in the verbatim example', () => {
    expect(field('session.recording_deleted', 'payload.operator')).toEqual({ type: 'string', format: 'email' });
    expect(field('session.ai_interpreter_usage_summary', 'payload.object.is_host')).toEqual({ type: 'boolean' });
    const example = operation('session.user_room_system_callout_ringing').requestBody!.example as {
      payload: { object: { participant: Record<string, unknown> } };
    };
    expect(example.payload.object.participant).toEqual({ call_type: '', device_ip: '', additionalProperty: 'anything' });
    expect(field('session.user_room_system_callout_ringing', 'payload.object.participant')).not.toHaveProperty('additionalProperties');
  });

  it.skipIf(skipSeed)('checks every example against its schema: keys declared at their nesting, JSON types and possible values match', () => {
    const structural: Finding[] = [];
    const missingRequired: Finding[] = [];
    for (const op of seed().doc.operations) {
      const bodies = [
        { body: 'request', content: op.requestBody },
        ...op.responses.map((response) => ({ body: `response ${response.status}`, content: response.content })),
      ];
      for (const { body, content } of bodies) {
        if (!content) continue;
        expect(content.example, `${op.path} ${body} has an example`).toBeDefined();
        checkExample(content.schema, content.example, '$', (kind, where, reason) => {
          (kind === 'structural' ? structural : missingRequired).push({ event: op.path, body, path: where, reason });
        });
      }
    }
    // The source never contradicts its own examples on keys, types or possible values.
    expect(structural).toEqual([]);
    // It does leave out one field it marks required: `payload.object.id` (the session ID) is "(required)" in
    // these five events but absent from their examples (request and repeated 200 body alike).
    const events = ['session.live_streaming_stopped', 'session.sharing_ended', 'session.ended', 'session.started', 'session.live_streaming_started'];
    expect(missingRequired).toEqual(
      events.flatMap((event) =>
        ['request', 'response 200'].map((body) => ({ event, body, path: '$.payload.object.id', reason: 'required field absent from the example' })),
      ),
    );
  });
});

describe('parseBullets on constructs and errors absent from seed 000 (synthetic documents)', () => {
  const header = 'Doc\n\n  • OpenAPI Version:\u00a0 3.1.0\n  • API Version:\u00a0 2\n\nSome prose.\n\nOperations\n\n';
  const event = (fields: string, name = 'x.happened') =>
    `${header}POST ${name}\n\n  • Method:\u00a0 POST\n  • Path:\u00a0 ${name}\n  • Tags:\u00a0 x, y\n\nRequest Body\n\nContent-Type: application/json\n${fields}\nResponses\n\nStatus: 200\n`;

  it('maps an object field without children to { type: "object" } and a 200 without content to a bare status', () => {
    const doc = parseBullets(event('  • data (required)\n\n    object — Anything.\n'));
    expect(doc.operations[0]).toEqual({
      method: 'post',
      path: 'x.happened',
      tags: ['x', 'y'],
      requestBody: {
        contentType: 'application/json',
        schema: { type: 'object', properties: { data: { type: 'object' } }, required: ['data'] },
      },
      responses: [{ status: '200' }],
    });
  });

  it('types defaults and numeric limits from the type line, keeps odd formats verbatim, flags deprecated fields', () => {
    const doc = parseBullets(
      event(
        '  • count (deprecated)\n\n    integer, format: int31, default: 5, minimum: 1, maximum: 10 — n.\n\n' +
          '  • mode\n\n    string, possible values: "a, b", "c", default: "c" — m. At most a maximum length of 9 bytes.\n',
      ),
    );
    expect(doc.operations[0]?.requestBody?.schema.properties).toEqual({
      count: { type: 'integer', format: 'int31', default: 5, minimum: 1, maximum: 10, deprecated: true },
      mode: { type: 'string', enum: ['a, b', 'c'], default: 'c' },
    });
  });

  it('merges "All of:" parts into one object and keeps "Any of:" alternatives', () => {
    const doc = parseBullets(
      event(
        '  • merged\n\n    All of:\n\n    • a (required)\n\n      string\n\n    • b\n\n      integer\n\n' +
          '  • either\n\n    Any of:\n\n    string, format: date-time\n\n    integer\n',
      ),
    );
    expect(doc.operations[0]?.requestBody?.schema.properties).toEqual({
      merged: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a'] },
      either: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }] },
    });
  });

  it('throws naming the event and the line for an unknown type attribute', () => {
    const text = event('  • n\n\n    integer, multiple of: 3 — odd.\n');
    const line = text.split('\n').findIndex((value) => value.includes('multiple of')) + 1;
    expect(() => parseBullets(text)).toThrow(new RegExp(`^x\\.happened: line ${line}: unrecognised type attribute`));
  });

  it('throws for children under a scalar field, a non-integer possible value, and bare "Any of:" fields', () => {
    expect(() => parseBullets(event('  • s\n\n    string\n\n    • child\n\n      string\n'))).toThrow(/x\.happened: line \d+: unexpected line/);
    expect(() => parseBullets(event('  • n\n\n    integer, possible values: 1, "two"\n'))).toThrow(/not an integer/);
    expect(() => parseBullets(event('  • u\n\n    Any of:\n\n    • a\n\n      string\n'))).toThrow(/where one alternative ends is not stated/);
  });
});
