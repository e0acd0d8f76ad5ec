import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from '../specs/json-schema.js';
import type { SeedDocument, SeedOperation, SeedParameter } from '../tools/seeds/model.js';
import { parseMarkdown, parseMarkdownDetailed, type DetailedParse } from '../tools/seeds/parse-markdown.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seedFile = path.resolve(repoRoot, '../shared/seeds/001_6cb72792691e575b.txt');
const inCi = process.env.CI === 'true';
// Outside CI a missing source document skips these tests; in CI it must fail them.
const skipSeed = !existsSync(seedFile) && !inCi;

let cached: { text: string; detailed: DetailedParse; doc: SeedDocument } | undefined;
function seed(): { text: string; detailed: DetailedParse; doc: SeedDocument } {
  if (!cached) {
    if (!existsSync(seedFile)) throw new Error(`source document missing: ${seedFile}`);
    const text = readFileSync(seedFile, 'utf8');
    const detailed = parseMarkdownDetailed(text);
    cached = { text, detailed, doc: detailed.document };
  }
  return cached;
}

function op(key: string): SeedOperation {
  const [method, opPath] = key.split(' ') as [string, string];
  const found = seed().doc.operations.find((o) => o.method === method.toLowerCase() && o.path === opPath);
  if (!found) throw new Error(`no operation ${key}`);
  return found;
}

/** A body schema (`request` or a status), walked down a dotted path (`[]` steps into items). */
function field(key: string, body: string, dotted = ''): JsonSchema {
  const o = op(key);
  const content = body === 'request' ? o.requestBody : o.responses.find((r) => r.status === body)?.content;
  if (!content) throw new Error(`${key}: no ${body} body`);
  let schema = content.schema;
  for (const step of dotted === '' ? [] : dotted.split('.')) {
    const next = step === '[]' ? schema.items : schema.properties?.[step];
    if (!next) throw new Error(`${key} ${body}: no ${dotted} (at ${step})`);
    schema = next;
  }
  return schema;
}

const keys = (s: JsonSchema) => Object.keys(s.properties ?? {});

/** The text of one operation, from its `###` heading to the next one (independent of the parser). */
function operationTexts(text: string): string[] {
  const starts = [...text.matchAll(/(?<=^|\s)### (?!#)/g)].map((m) => m.index);
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

interface Finding {
  operation: string;
  body: string;
  path: string;
  reason: string;
}

/**
 * Walks an example against its schema: every key declared at its nesting, every value of the declared JSON
 * type (an integer is a number), within the declared possible values, within maxLength, matching `date` /
 * `date-time` formats, and every required property present.
 */
function checkExample(value: unknown, schema: JsonSchema, at: string, out: Omit<Finding, 'operation' | 'body'>[]): void {
  const actual = jsonType(value);
  const declared = schema.type;
  if (declared !== undefined && declared !== actual && !(declared === 'number' && actual === 'integer')) {
    out.push({ path: at, reason: `is ${actual}, declared ${String(declared)}` });
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) out.push({ path: at, reason: `${JSON.stringify(value)} not among the possible values` });
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) out.push({ path: at, reason: 'longer than maxLength' });
    if (schema.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) out.push({ path: at, reason: 'not a date' });
    if (schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
      out.push({ path: at, reason: 'not a date-time' });
    }
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (!sub) out.push({ path: `${at}.${k}`, reason: 'key not declared at this nesting' });
      else checkExample(v, sub, `${at}.${k}`, out);
    }
    for (const r of schema.required ?? []) if (!(r in obj)) out.push({ path: `${at}.${r}`, reason: 'required but absent' });
  }
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((v, i) => checkExample(v, schema.items!, `${at}[${i}]`, out));
}

/** Runs `checkExample` over every body that has an example. */
function selfCheck(doc: SeedDocument): { findings: Finding[]; checked: number } {
  const findings: Finding[] = [];
  let checked = 0;
  for (const o of doc.operations) {
    const bodies: [string, JsonSchema, unknown][] = [];
    if (o.requestBody) bodies.push(['request', o.requestBody.schema, o.requestBody.example]);
    for (const r of o.responses) if (r.content) bodies.push([r.status, r.content.schema, r.content.example]);
    for (const [body, schema, example] of bodies) {
      if (example === undefined) continue;
      checked++;
      const out: Omit<Finding, 'operation' | 'body'>[] = [];
      checkExample(example, schema, '$', out);
      findings.push(...out.map((f) => ({ operation: `${o.method.toUpperCase()} ${o.path}`, body, ...f })));
    }
  }
  return { findings, checked };
}

function allSchemas(doc: SeedDocument): JsonSchema[] {
  const out: JsonSchema[] = [];
  const walk = (s: JsonSchema) => {
    out.push(s);
    Object.values(s.properties ?? {}).forEach(walk);
    if (s.items) walk(s.items);
  };
  for (const o of doc.operations) {
    if (o.requestBody) walk(o.requestBody.schema);
    for (const r of o.responses) if (r.content) walk(r.content.schema);
  }
  return out;
}

describe('parseMarkdown: seed 001, Video SDK REST API v2 (flattened Markdown)', () => {
  it.skipIf(skipSeed)('reads title, OpenAPI version, API version and the one server URL from the header', () => {
    const { doc } = seed();
    expect(doc.title).toBe('Video SDK');
    expect(doc.openapi).toBe('3.1.1');
    expect(doc.version).toBe('2');
    expect(doc.servers).toEqual(['https://api.zoom.us/v2']);
    expect(parseMarkdown(seed().text)).toEqual(doc);
  });

  it.skipIf(skipSeed)('finds exactly 38 operations, distinct, equal in order to the **Method:**/**Path:** pairs of the text', () => {
    const { text, doc } = seed();
    // Independent extraction; the separators after the labels are non-breaking spaces in the source.
    const pairs = [...text.matchAll(/\*\*Method:\*\*\s+`([A-Z]+)`\s+-\s+\*\*Path:\*\*\s+`([^`]+)`/g)].map((m) => `${m[1]!.toLowerCase()} ${m[2]!}`);
    expect(text).toContain('**Method:**\u00a0`');
    expect(pairs).toHaveLength(38);
    const parsed = doc.operations.map((o) => `${o.method} ${o.path}`);
    expect(parsed).toEqual(pairs);
    expect(new Set(parsed).size).toBe(38);
    const headings = [...text.matchAll(/(?<=^|\s)### (?!#)(.+?) - \*\*Method:\*\*/g)].map((m) => m[1]);
    expect(doc.operations.map((o) => o.summary)).toEqual(headings);
    expect(op('PATCH /videosdk/sessions/{sessionId}/rtms_app/status').summary).toBe('Update Realtime Media Streams (RTMS) app status');
    expect(op('GET /videosdk/sessions/{sessionId}/users/sharing').summary).toBe('Get sharing/recording details');
    expect(doc.operations.every((o) => o.deprecated === undefined)).toBe(true); // the source marks nothing deprecated
  });

  it.skipIf(skipSeed)('keeps path templates verbatim, with their {parameters}', () => {
    const { doc } = seed();
    const params = (p: string) => [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    expect(doc.operations.every((o) => o.path.startsWith('/videosdk/'))).toBe(true);
    expect(params(op('GET /videosdk/settings/storage/location/{storageLocationId}').path)).toEqual(['storageLocationId']);
    expect(params(op('PUT /videosdk/sessions/{sessionId}/recordings/{recordingId}/status').path)).toEqual(['sessionId', 'recordingId']);
    expect(params(op('GET /videosdk/sessions/{sessionId}/users/{userId}/qos').path)).toEqual(['sessionId', 'userId']);
    expect(params(op('DELETE /videosdk/stream_ingestions/{streamId}').path)).toEqual(['streamId']);
    expect(params(op('GET /videosdk/report/webhook_logs').path)).toEqual([]);
    const all = new Set(doc.operations.flatMap((o) => params(o.path)));
    expect([...all].sort()).toEqual(['recordingId', 'sessionId', 'storageLocationId', 'streamId', 'userId']);
  });

  it.skipIf(skipSeed)('delimits the tag from the description: four tags, each repeated, exactly one per operation', () => {
    const { text, doc } = seed();
    const counts = new Map<string, number>();
    for (const o of doc.operations) {
      expect(o.tags).toHaveLength(1);
      counts.set(o.tags[0]!, (counts.get(o.tags[0]!) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ 'Byos Storage': 6, 'Cloud Recording': 6, Sessions: 21, 'Video SDK Reports': 5 });
    // Each operation's **Tags:** text starts with its tag followed by the description; the word after the tag
    // differs between operations of one tag (that is where the tag ends).
    const tagTexts = operationTexts(text).map((t) => /\*\*Tags:\*\*\s+(\S.*?)(?=\s####\s)/s.exec(t)?.[1] ?? '');
    doc.operations.forEach((o, i) => expect(tagTexts[i]!.startsWith(`${o.tags[0]} `)).toBe(true));
    for (const tag of counts.keys()) {
      const next = new Set(doc.operations.flatMap((o, i) => (o.tags[0] === tag ? [tagTexts[i]!.slice(tag.length + 1).split(/\s+/)[0]] : [])));
      expect(next.size).toBeGreaterThan(1);
    }
    const byTag = (tag: string) => doc.operations.filter((o) => o.tags[0] === tag).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(byTag('Byos Storage')).toEqual([
      'PATCH /videosdk/settings/storage',
      'GET /videosdk/settings/storage/location',
      'POST /videosdk/settings/storage/location',
      'GET /videosdk/settings/storage/location/{storageLocationId}',
      'DELETE /videosdk/settings/storage/location/{storageLocationId}',
      'PATCH /videosdk/settings/storage/location/{storageLocationId}',
    ]);
    expect(byTag('Cloud Recording')).toEqual([
      'GET /videosdk/recordings',
      'GET /videosdk/sessions/{sessionId}/recordings',
      'DELETE /videosdk/sessions/{sessionId}/recordings',
      'PUT /videosdk/sessions/{sessionId}/recordings/status',
      'DELETE /videosdk/sessions/{sessionId}/recordings/{recordingId}',
      'PUT /videosdk/sessions/{sessionId}/recordings/{recordingId}/status',
    ]);
    expect(byTag('Video SDK Reports')).toEqual([
      'GET /videosdk/report/cloud_recording',
      'GET /videosdk/report/daily',
      'GET /videosdk/report/operationlogs',
      'GET /videosdk/report/telephone',
      'GET /videosdk/report/webhook_logs',
    ]);
    expect(byTag('Sessions').every((k) => /^\S+ \/videosdk\/(sessions|stream_ingestions)/.test(k))).toBe(true);
  });

  it.skipIf(skipSeed)('lists every Status block of every operation in source order, with a body only where one is given', () => {
    const { text, doc } = seed();
    operationTexts(text).forEach((t, i) => {
      const statuses = [...t.matchAll(/(?<=^|\s)##### Status: (\S+)/g)].map((m) => m[1]);
      expect(doc.operations[i]!.responses.map((r) => r.status)).toEqual(statuses);
    });
    const shape = (key: string) => op(key).responses.map((r) => r.status + (r.content ? '+body' : ''));
    expect(shape('PATCH /videosdk/settings/storage')).toEqual(['204', '400', '403', '404', '429']);
    expect(shape('DELETE /videosdk/settings/storage/location/{storageLocationId}')).toEqual(['204', '400', '403', '404', '405', '429']);
    expect(shape('POST /videosdk/settings/storage/location')).toEqual(['201+body', '400', '403', '429']);
    // The source lists a prose-only 200 before the 204 here.
    expect(shape('PUT /videosdk/sessions/{sessionId}/recordings/status')).toEqual(['200', '204', '400', '404', '429']);
    expect(shape('GET /videosdk/sessions/{sessionId}')).toEqual(['200+body', '400', '401', '403', '404', '429']);
    expect(shape('PATCH /videosdk/sessions/{sessionId}/events')).toEqual(['202', '400', '404', '429']);
    // "Unauthorized Invalid access token. ##### Status: 404" shares a line in the source.
    expect(shape('GET /videosdk/report/webhook_logs')).toEqual(['200+body', '400', '401', '404', '429']);
    const bodies = doc.operations.flatMap((o) => o.responses.filter((r) => r.content));
    expect(bodies).toHaveLength(23);
    expect(bodies.every((r) => /^2/.test(r.status) && r.content!.contentType === 'application/json')).toBe(true);
    expect(doc.operations.filter((o) => o.requestBody)).toHaveLength(14);
    expect(doc.operations.filter((o) => o.requestBody).every((o) => o.requestBody!.contentType === 'application/json')).toBe(true);
  });

  it.skipIf(skipSeed)('recovers the storage location nesting: s3.access_key.{id,key}, with required in source order', () => {
    const add = 'POST /videosdk/settings/storage/location';
    expect(field(add, 'request')).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string' },
        provider: { type: 'string', enum: ['aws_s3'] },
        s3: {
          type: 'object',
          properties: {
            access_key: {
              type: 'object',
              properties: { id: { type: 'string' }, key: { type: 'string' } },
              required: ['id', 'key'],
            },
            authentication_mechanism: { type: 'string', enum: ['aws_access_key'] },
            bucket: { type: 'string' },
            region: { type: 'string' },
          },
          required: ['access_key', 'authentication_mechanism', 'bucket', 'region'],
        },
      },
      required: ['name', 'provider', 's3'],
    });
    // The PATCH twin has the same shape with nothing required.
    const patch = field('PATCH /videosdk/settings/storage/location/{storageLocationId}', 'request');
    expect(keys(patch.properties!.s3!)).toEqual(['access_key', 'authentication_mechanism', 'bucket', 'region']);
    expect(keys(patch.properties!.s3!.properties!.access_key!)).toEqual(['id', 'key']);
    expect(JSON.stringify(patch)).not.toContain('required');
    // `selected` follows the s3 children but is a sibling of s3 (the example shows it at the item level).
    const list = field('GET /videosdk/settings/storage/location', '200');
    expect(list.type).toBe('array');
    expect(keys(list.items!)).toEqual(['id', 'name', 'provider', 's3', 'selected']);
    expect(list.items!.required).toEqual(['id', 'name', 'provider', 's3']);
    expect(keys(field('GET /videosdk/settings/storage/location/{storageLocationId}', '200'))).toEqual(['id', 'name', 'provider', 's3', 'verify_status']);
    expect(field('GET /videosdk/settings/storage/location/{storageLocationId}', '200', 'verify_status')).toEqual({ type: 'string', enum: ['success', 'failure'] });
  });

  it.skipIf(skipSeed)('closes nested objects where the example and the ordering rule say so (settings, params, sip_headers)', () => {
    const details = field('GET /videosdk/sessions/{sessionId}', '200');
    expect(keys(details.properties!.settings!)).toEqual(['auto_recording', 'global_dial_in_countries', 'global_dial_in_numbers']);
    expect(keys(details).slice(-5)).toEqual(['settings', 'start_time', 'total_minutes', 'user_count', 'video_quality']);
    expect(field('GET /videosdk/sessions/{sessionId}', '200', 'settings.global_dial_in_countries')).toEqual({ type: 'array', items: { type: 'string' } });
    expect(field('GET /videosdk/sessions/{sessionId}', '200', 'settings.global_dial_in_numbers.[].type')).toEqual({
      type: 'string',
      enum: ['toll', 'tollfree', 'premium'],
    });
    const events = 'PATCH /videosdk/sessions/{sessionId}/events';
    expect(keys(field(events, 'request'))).toEqual(['method', 'params']);
    expect(keys(field(events, 'request', 'params'))).toEqual([
      'call_type',
      'device_ip',
      'h323_headers',
      'invite_options',
      'invitee_name',
      'participant_uuid',
      'phone_number',
      'sip_headers',
      'stream_ingestion_stream_id',
    ]);
    expect(keys(field(events, 'request', 'params.h323_headers'))).toEqual(['from_display_name', 'to_display_name']);
    expect(field(events, 'request', 'params.invite_options')).toEqual({
      type: 'object',
      properties: { require_greeting: { type: 'boolean', default: true }, require_pressing_one: { type: 'boolean', default: true } },
    });
    expect(keys(field(events, 'request', 'params.sip_headers'))).toEqual(['additional_headers', 'from_display_name', 'from_uri', 'to_display_name']);
    expect(field(events, 'request', 'params.sip_headers.additional_headers')).toEqual({
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: { type: 'object', properties: { key: { type: 'string' }, value: { type: 'string' } } },
    });
    expect(field(events, 'request', 'method').enum).toHaveLength(17);
    // Report item arrays close before the trailing top-level fields.
    expect(keys(field('GET /videosdk/report/daily', '200'))).toEqual(['dates', 'month', 'year']);
    expect(keys(field('GET /videosdk/report/operationlogs', '200'))).toEqual(['from', 'next_page_token', 'operation_logs', 'page_size', 'to']);
    expect(keys(field('GET /videosdk/report/telephone', '200'))).toEqual(['from', 'next_page_token', 'page_size', 'telephony_usage', 'to']);
    expect(keys(field('GET /videosdk/sessions/{sessionId}/users/sharing', '200', 'users.[]'))).toEqual(['details', 'id', 'name', 'user_key']);
  });

  it.skipIf(skipSeed)('maps types, formats, typed possible values, typed defaults and "maximum length of N characters"', () => {
    expect(field('POST /videosdk/sessions', 'request', 'settings.auto_recording')).toEqual({ type: 'string', enum: ['cloud', 'none'], default: 'none' });
    expect(field('PATCH /videosdk/sessions/{sessionId}/livestream/status', 'request', 'settings.close_caption')).toEqual({
      type: 'string',
      enum: ['burnt-in', 'embedded', 'off'],
      default: 'burnt-in',
    });
    expect(field('GET /videosdk/sessions/{sessionId}/stream_ingestions', '200', '[].rtmp_connection_status')).toEqual({ type: 'integer', enum: [0, 1] });
    expect(field('GET /videosdk/report/webhook_logs', '200', 'webhook_logs.[].failed_reason_type').enum).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    expect(field('GET /videosdk/report/webhook_logs', '200', 'webhook_logs.[].retry_num')).toEqual({ type: 'integer', enum: [0, 1, 2, 3] });
    expect(field('GET /videosdk/report/telephone', '200', 'telephony_usage.[].type').enum).toContain('US toll-number');
    expect(field('GET /videosdk/sessions', '200', 'page_size')).toEqual({ type: 'integer', default: 30 });
    expect(field('GET /videosdk/sessions/{sessionId}/users/qos', '200', 'page_size')).toEqual({ type: 'integer', default: 1 });
    expect(field('GET /videosdk/sessions', '200', 'from')).toEqual({ type: 'string', format: 'date' });
    expect(field('POST /videosdk/sessions', '201', 'session_number')).toEqual({ type: 'integer', format: 'int64' });
    expect(field('GET /videosdk/sessions/{sessionId}/livestream', '200', 'page_url')).toEqual({ type: 'string', format: 'url' });
    expect(field('GET /videosdk/report/telephone', '200', 'telephony_usage.[].rate')).toEqual({ type: 'number' });
    expect(field('GET /videosdk/sessions/{sessionId}/users', '200', 'users.[].user_key')).toEqual({ type: 'string', maxLength: 36 });
    expect(field('GET /videosdk/sessions/{sessionId}/users/{userId}/qos', '200', 'user_key')).toEqual({ type: 'string', maxLength: 36 });
    // "add 1..10 custom headers" is an item count; "a maximum length of 256 bytes" is in bytes, not characters: not mapped.
    const headers = field('PATCH /videosdk/sessions/{sessionId}/events', 'request', 'params.sip_headers.additional_headers');
    expect([headers.minItems, headers.maxItems]).toEqual([1, 10]);
    expect(headers.items?.properties?.value).toEqual({ type: 'string' });
    expect(field('PATCH /videosdk/settings/storage', 'request')).toEqual({
      type: 'object',
      properties: { bring_our_own_storage: { type: 'boolean' }, storage_location_id: { type: 'string' } },
      required: ['bring_our_own_storage'],
    });
    const qosItem = field('GET /videosdk/sessions/{sessionId}/users/{userId}/qos', '200', 'user_qos.[]');
    expect(keys(qosItem.properties!.audio_input!)).toEqual(['avg_loss', 'bitrate', 'jitter', 'latency', 'max_loss']);
    expect(keys(qosItem.properties!.video_input!)).toEqual(['avg_loss', 'bitrate', 'frame_rate', 'jitter', 'latency', 'max_loss', 'resolution']);
    expect(keys(qosItem.properties!.cpu_usage!)).toEqual(['system_max_cpu_usage', 'zoom_avg_cpu_usage', 'zoom_max_cpu_usage', 'zoom_min_cpu_usage']);
    expect(qosItem.properties!.wifi_rssi!.properties!.avg_rssi).toEqual({ type: 'integer' });
    expect(qosItem.properties!.cpu_pressure_level!.properties!.system_max_cpu_pressure_level!.enum).toEqual(['critical', 'serious', 'fair', 'normal']);
  });

  it.skipIf(skipSeed)('turns **Array of:** bodies into arrays and merges **All of:** parts into one object', () => {
    expect(field('GET /videosdk/sessions/{sessionId}/stream_ingestions', '200')).toEqual({
      type: 'array',
      items: {
        type: 'object',
        properties: {
          rtmp_connection_status: { type: 'integer', enum: [0, 1] },
          rtmp_stream_push_status: { type: 'integer', enum: [0, 1] },
          stream_id: { type: 'string' },
        },
      },
    });
    // Top-level All of: pagination part + a `*`-bulleted part holding `sessions`.
    const account = field('GET /videosdk/recordings', '200');
    expect(account.allOf).toBeUndefined();
    expect(keys(account)).toEqual(['from', 'next_page_token', 'page_size', 'to', 'total_records', 'sessions']);
    const session = field('GET /videosdk/recordings', '200', 'sessions.[]');
    expect(keys(session)).toEqual([
      'duration',
      'recording_count',
      'session_id',
      'session_key',
      'session_name',
      'start_time',
      'total_size',
      'recording_files',
      'participant_video_files',
    ]);
    expect(keys(session.properties!.recording_files!.items!)).toHaveLength(10);
    // Nested All of with the same array declared twice: the parts are merged into one item schema.
    const one = field('GET /videosdk/sessions/{sessionId}/recordings', '200');
    expect(keys(one)).toEqual([
      'duration',
      'recording_count',
      'session_id',
      'session_key',
      'session_name',
      'start_time',
      'total_size',
      'recording_files',
      'participant_video_files',
      'download_access_token',
      'participant_audio_files',
    ]);
    expect(keys(one.properties!.participant_video_files!.items!)).toEqual([
      'download_url',
      'file_extension',
      'file_name',
      'file_size',
      'file_type',
      'id',
      'recording_end',
      'recording_start',
      'recording_type',
      'status',
      'user_id',
      'user_key',
    ]);
    expect(one.properties!.participant_audio_files!.items!.properties!.recording_type).toBeUndefined();
    expect(one.properties!.participant_video_files!.items!.properties!.recording_type).toEqual({
      type: 'string',
      enum: ['individual_user', 'individual_shared_screen'],
    });
  });

  it.skipIf(skipSeed)('accounts for every field bullet of the text: 621 bullets = 610 properties + 11 repeated in an All of', () => {
    const { text, doc } = seed();
    const bullets = [...text.matchAll(/(?<=^|\s)[-*] \*\*`[^`]+`(?: \(required\))?\*\* `/g)].length;
    const properties = allSchemas(doc).reduce((n, s) => n + keys(s).length, 0);
    // GET /videosdk/sessions/{sessionId}/recordings declares participant_video_files twice (10 item fields, then
    // 12); the second declaration repeats the array and 10 of its item fields.
    expect(bullets).toBe(621);
    expect(properties).toBe(610);
  });

  it.skipIf(skipSeed)('finds only the query parameters the text states, plus pagination parameters taken from the response', () => {
    const { doc } = seed();
    const text = (name: string): SeedParameter => ({ name, required: false, schema: { type: 'string' } });
    const type: SeedParameter = { name: 'type', required: false, schema: { type: 'string', enum: ['live', 'past'], default: 'live' } };
    const paging = (pageSize: JsonSchema): SeedParameter[] => [
      { name: 'next_page_token', required: false, schema: { type: 'string' } },
      { name: 'page_size', required: false, schema: pageSize },
    ];
    const expected: Record<string, SeedParameter[]> = {
      'GET /videosdk/recordings': paging({ type: 'integer' }),
      'GET /videosdk/sessions/{sessionId}/recordings': [text('include_fields')],
      'GET /videosdk/sessions': [text('from'), text('to'), ...paging({ type: 'integer', default: 30 })],
      'GET /videosdk/sessions/{sessionId}/users': [text('from'), text('to'), type, ...paging({ type: 'integer', default: 30 })],
      'GET /videosdk/sessions/{sessionId}/users/qos': [text('from'), text('to'), type, ...paging({ type: 'integer', default: 1 })],
      'GET /videosdk/sessions/{sessionId}/users/sharing': paging({ type: 'integer', default: 1 }),
      'GET /videosdk/stream_ingestions': paging({ type: 'integer', default: 30 }),
      'GET /videosdk/report/operationlogs': paging({ type: 'integer', default: 30 }),
      'GET /videosdk/report/telephone': paging({ type: 'integer', default: 30 }),
      'GET /videosdk/report/webhook_logs': paging({ type: 'integer' }),
    };
    const actual = Object.fromEntries(doc.operations.filter((o) => o.queryParameters).map((o) => [`${o.method.toUpperCase()} ${o.path}`, o.queryParameters]));
    expect(actual).toEqual(expected);
  });

  it.skipIf(skipSeed)('keeps examples verbatim (parsed JSON, escaped strings intact)', () => {
    const logs = op('GET /videosdk/report/webhook_logs').responses[0]!.content!.example as { webhook_logs: { request_body: string }[] };
    expect(JSON.parse(logs.webhook_logs[0]!.request_body)).toMatchObject({ event: 'session.started' });
    expect(op('PATCH /videosdk/settings/storage').requestBody!.example).toEqual({ bring_our_own_storage: true, storage_location_id: 'LmefoSckQNaw3GSyl74FcA' });
    expect(Array.isArray(op('GET /videosdk/settings/storage/location').responses[0]!.content!.example)).toBe(true);
    const { doc } = seed();
    const contents = doc.operations.flatMap((o) => [o.requestBody, ...o.responses.map((r) => r.content)]).filter((c) => c !== undefined);
    expect(contents).toHaveLength(37);
    expect(contents.every((c) => c.example !== undefined)).toBe(true);
  });

  it.skipIf(skipSeed)('copies no prose and sets no additionalProperties', () => {
    const allowed = new Set(['type', 'format', 'enum', 'default', 'maxLength', 'minItems', 'maxItems', 'properties', 'required', 'items']);
    for (const schema of allSchemas(seed().doc)) for (const k of Object.keys(schema)) expect(allowed.has(k)).toBe(true);
  });

  it.skipIf(skipSeed)('self-check: every example key is declared at its nesting and every value has the declared type', () => {
    const { findings, checked } = selfCheck(seed().doc);
    expect(checked).toBe(37);
    // Source contradictions between a body and its example: none in this document (types, keys, possible
    // values, formats, maxLength and required were all checked).
    expect(findings).toEqual([]);
  });

  it.skipIf(skipSeed)('nesting evidence: the examples decide every placement the ordering rule leaves open, and never contradict it', () => {
    // Ambiguous cases (neither the example nor the ordering rule decides): none. Every field is found in the
    // example under exactly one of the open objects, or the ordering rule admits exactly one.
    expect(seed().detailed.notes).toEqual([]);
    // Ordering rule alone (examples ignored): many placements are open (e.g. `selected` after `s3.region`,
    // `start_time` after `settings.global_dial_in_numbers[].type`); taking the innermost object then goes wrong
    // in 7 bodies. Where the ordering rule alone is unambiguous, it agrees with the example-guided result.
    const orderOnly = parseMarkdownDetailed(seed().text, { useExamples: false });
    expect(orderOnly.notes.every((n) => n.kind === 'ambiguous')).toBe(true);
    expect(orderOnly.notes).toHaveLength(202);
    const ambiguousOps = new Set(orderOnly.notes.map((n) => n.operation));
    const differing = seed().doc.operations.filter((o, i) => JSON.stringify(o) !== JSON.stringify(orderOnly.document.operations[i]));
    expect(differing).toHaveLength(7);
    for (const o of differing) expect(ambiguousOps.has(`${o.method.toUpperCase()} ${o.path}`)).toBe(true);
    // The self-check has teeth: on the ordering-only parse it flags exactly those 7 operations.
    const flagged = new Set(selfCheck(orderOnly.document).findings.map((f) => f.operation));
    expect([...flagged].sort()).toEqual(differing.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort());
  });
});

describe('parseMarkdown: refuses what it cannot map, naming the operation', () => {
  const doc = (body: string) =>
    [
      '# Demo - **OpenAPI Version:**\u00a0`3.1.1` - **API Version:**\u00a0`2` Intro.',
      '## Servers - **URL:**\u00a0`https://example.test/v2`',
      '## Operations',
      '### One - **Method:**\u00a0`POST` - **Path:**\u00a0`/a` - **Tags:**\u00a0Alpha First op.',
      '#### Request Body ##### Content-Type: application/json',
      body,
      '#### Responses ##### Status: 204 Done.',
      '### Two - **Method:**\u00a0`GET` - **Path:**\u00a0`/b` - **Tags:**\u00a0Alpha Second op.',
      '#### Responses ##### Status: 200 OK. ###### Content-Type: application/json - **`x`** `string` **Example:** ```json { "x": "y" } ```',
    ].join(' ');

  it('parses a minimal well-formed document', () => {
    const parsed = parseMarkdown(doc('- **`a` (required)** `object` — A. - **`b`** `integer`, default: `3` — B. **Example:** ```json { "a": { "b": 1 } } ```'));
    expect(parsed.operations.map((o) => o.tags)).toEqual([['Alpha'], ['Alpha']]);
    expect(parsed.operations[0]!.requestBody!.schema).toEqual({
      type: 'object',
      properties: { a: { type: 'object', properties: { b: { type: 'integer', default: 3 } } } },
      required: ['a'],
    });
  });

  it('throws on **Any of:** alternatives, which the flattened rendering cannot delimit', () => {
    expect(() => parseMarkdown(doc('**Any of:** - **`a`** `string` **Example:** ```json { "a": "x" } ```'))).toThrow(/POST \/a .*Any of/);
  });

  it('throws on an unknown field type', () => {
    expect(() => parseMarkdown(doc('- **`a`** `date` **Example:** ```json { "a": "x" } ```'))).toThrow(/POST \/a .*unsupported type/);
  });

  it('throws when a possible value does not have the field type', () => {
    expect(() => parseMarkdown(doc('- **`a`** `integer`, possible values: `"x"` **Example:** ```json { "a": 1 } ```'))).toThrow(/POST \/a .*not of type integer/);
  });

  it('throws when a field fits no open object (example silent, order broken)', () => {
    expect(() => parseMarkdown(doc('- **`b` (required)** `string` - **`a` (required)** `string` **Example:** ```json { "c": 1 } ```'))).toThrow(
      /POST \/a .*fits no open object/,
    );
  });

  it('throws when an example is not JSON', () => {
    expect(() => parseMarkdown(doc('- **`a`** `string` **Example:** ```json { "a": } ```'))).toThrow(/POST \/a .*not JSON/);
  });
});
