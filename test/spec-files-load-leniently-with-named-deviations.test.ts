/**
 * Lenient loading, strict reporting: each fixture under test/fixtures/lenient/ plants one kind of deviation from
 * OpenAPI (all-deviations.json plants every one) in an otherwise standard file of two Zoom-shaped events and two REST
 * operations. Each loads, with exactly its kind of deviation recorded (pointer included) and read the way its author
 * meant; with `strict` each is refused in one line naming the file and the first pointer. What makes an event or
 * operation unreadable is refused with its pointer, whatever the mode.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { loadSpecFile, SpecError, type Spec } from '../specs/catalog.js';
import { SchemaValidator } from '../specs/schema-validator.js';
import { DEVIATION_KINDS, summariseDeviations, type DeviationKind } from '../specs/spec-deviations.js';
import { REPO_ROOT } from './support/paths.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/lenient');
const KINDS = Object.keys(DEVIATION_KINDS) as DeviationKind[];
const dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-lenient-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const load = (name: string, strict = false) => loadSpecFile(path.join(FIXTURES, `${name}.json`), { strict });
const eventObject = (spec: Spec, name: string) =>
  spec.events.find((event) => event.name === name)!.body.schema.properties!.payload!.properties!.object!;
const operation = (spec: Spec, route: string) => spec.operations.find((candidate) => candidate.path === route)!;

async function loadDocument(document: unknown, name = 'doc.json', strict = false): Promise<Spec> {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(document));
  return loadSpecFile(file, { strict });
}

async function refusal(document: unknown, name = 'doc.json'): Promise<string> {
  const error = await loadDocument(document, name).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SpecError);
  const message = (error as SpecError).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
}

/** What each kind's fixture must read, beyond loading: the author's meaning. */
const READINGS: Record<DeviationKind, (spec: Spec) => void> = {
  'response-without-description': (spec) => {
    expect(operation(spec, '/widgets').responses.map((response) => response.status)).toEqual(['200', '401']);
    expect((spec.document.paths as Record<string, { post?: { responses: Record<string, unknown> } }>)['session.alert']!.post!.responses['200']).toEqual({ description: '' });
  },
  'example-as-json-text': (spec) => {
    const example = spec.events.find((event) => event.name === 'session.rtms_interrupted')!.body.example as Record<string, unknown>;
    expect(example.event).toBe('session.rtms_interrupted');
    expect(Object.keys((example.payload as { object: object }).object)).toEqual(['rtms_stream_id', 'interrupted_count', 'session_key', 'session_id']);
    expect(operation(spec, '/widgets').responses[0]!.content!.example).toEqual({
      total_records: 2,
      widgets: [
        { id: 'wA1', name: 'first', size: 3 },
        { id: 'wB2', name: 'second' },
      ],
    });
  },
  'nullable-keyword': (spec) => {
    expect(eventObject(spec, 'session.alert').properties!.session_name).toEqual({ type: ['string', 'null'] });
  },
  'schema-example-keyword': (spec) => {
    expect(eventObject(spec, 'session.alert').properties!.id).toMatchObject({ type: 'string', example: 'Hh9Yg2iBRtmVYGAOqB9hlw==' });
  },
  'boolean-exclusive-bound': (spec) => {
    const count = eventObject(spec, 'session.rtms_interrupted').properties!.interrupted_count!;
    expect(count).toMatchObject({ type: 'integer', exclusiveMinimum: 0 });
    expect(count).not.toHaveProperty('minimum');
  },
  'unknown-format': (spec) => {
    const schema = eventObject(spec, 'session.rtms_interrupted').properties!.interrupted_count!;
    expect(schema.format).toBe('int');
    const validator = new SchemaValidator();
    expect(validator.validate(schema, 7)).toEqual([]);
    expect(validator.validate(schema, 'seven').map((problem) => problem.keyword)).toEqual(['type']);
  },
  'unknown-type': (spec) => {
    const widget = operation(spec, '/widgets/{widgetId}').responses[0]!.content!.schema;
    expect(widget.properties!.size).toEqual({ type: 'integer' });
  },
  'unknown-keyword': (spec) => {
    const name = eventObject(spec, 'session.alert').properties!.session_name!;
    expect(name).not.toHaveProperty('readonly');
    expect(Object.keys(name)).toEqual(['type']);
  },
  'required-not-a-list': (spec) => {
    const widget = operation(spec, '/widgets/{widgetId}').responses[0]!.content!.schema;
    expect(widget.required).toEqual(['id', 'name']);
    expect(widget.properties!.name).toEqual({ type: 'string' });
  },
  'invalid-pattern': (spec) => {
    expect(eventObject(spec, 'session.rtms_interrupted').properties!.session_key).toEqual({ type: 'string' });
  },
  'misplaced-extension': (spec) => {
    expect(spec.events.map((event) => event.name).sort()).toEqual(['session.alert', 'session.rtms_interrupted']);
  },
  'ref-siblings': (spec) => {
    expect(operation(spec, '/widgets/{widgetId}').parameters).toEqual([{ name: 'widgetId', in: 'path', required: true, schema: { type: 'string' } }]);
  },
  'unresolvable-ref': (spec) => {
    expect(spec.deviations[0]).toMatchObject({ pointer: '/components/schemas/Legacy', detail: '#/components/schemas/RemovedLongAgo' });
  },
  'openapi-schema': (spec) => {
    expect(spec.deviations[0]!.detail).toMatch(/\/info must have required property 'version'/);
  },
};

describe('spec files with deviations from OpenAPI load leniently', () => {
  it('has a fixture for every named kind, and the standard base has no deviation', async () => {
    const files = readdirSync(FIXTURES).map((file) => file.replace(/\.json$/, ''));
    expect(files.sort()).toEqual([...KINDS, 'all-deviations', 'standard'].sort());
    const standard = await load('standard');
    expect(standard.deviations).toEqual([]);
    expect(standard.events.map((event) => event.name)).toEqual(['session.rtms_interrupted', 'session.alert']);
    expect(standard.operations.map((candidate) => `${candidate.method} ${candidate.path}`)).toEqual(['get /widgets', 'get /widgets/{widgetId}']);
  });

  for (const kind of KINDS) {
    it(`${kind}: loads, records only that kind with its pointer, reads it as meant, and --spec-strict refuses it`, async () => {
      const spec = await load(kind);
      expect(spec.events).toHaveLength(2);
      expect(spec.operations).toHaveLength(2);
      expect(new Set(spec.deviations.map((deviation) => deviation.kind))).toEqual(new Set([kind]));
      for (const deviation of spec.deviations) expect(deviation.pointer).toMatch(/^\//);
      const summary = summariseDeviations(spec.deviations, spec.openapi!);
      expect(summary).toMatch(new RegExp(`^${spec.deviations.length} deviations? from OpenAPI 3\\.1 ignored: ${spec.deviations.length} `));
      expect(summary).toContain(spec.deviations.length === 1 ? DEVIATION_KINDS[kind].one : DEVIATION_KINDS[kind].many);
      READINGS[kind](spec);

      const refused = await load(kind, true).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(SpecError);
      const message = (refused as SpecError).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toContain(path.join(FIXTURES, `${kind}.json`));
      expect(message).toContain(`(first at ${spec.deviations[0]!.pointer})`);
      expect(message).toContain('--spec-strict refuses them');
    });
  }

  it('all-deviations: every kind at once, each read as in its own file', async () => {
    const spec = await load('all-deviations');
    expect(new Set(spec.deviations.map((deviation) => deviation.kind))).toEqual(new Set(KINDS));
    for (const kind of KINDS) if (kind !== 'unresolvable-ref' && kind !== 'openapi-schema') READINGS[kind](spec);
    expect(summariseDeviations(spec.deviations, spec.openapi!)).toMatch(/^17 deviations from OpenAPI 3\.1 ignored: 3 responses without description, 2 examples given as JSON text, /);
  });
});

describe('examples given as JSON text are used wherever the bundled specs\' examples are', () => {
  it('generated bodies take their key order from the parsed example, as from a bundled example', async () => {
    const withText = (await load('example-as-json-text')).events.find((candidate) => candidate.name === 'session.rtms_interrupted')!;
    const without = (await load('standard')).events.find((candidate) => candidate.name === 'session.rtms_interrupted')!;
    const objectKeys = (body: Buffer) => Object.keys((JSON.parse(body.toString('utf8')) as { payload: { object: object } }).payload.object);
    const exampleOrder = ['rtms_stream_id', 'interrupted_count', 'session_key', 'session_id'];
    const schemaOrder = ['session_id', 'session_key', 'rtms_stream_id', 'interrupted_count'];
    const inOrder = (keys: string[], order: string[]) => keys.every((key, index) => index === 0 || order.indexOf(keys[index - 1]!) < order.indexOf(key));
    const fromText = new DeliveryGenerator(11).generate(withText, 'valid', 20).map((delivery) => objectKeys(delivery.body));
    const fromSchema = new DeliveryGenerator(11).generate(without, 'valid', 20).map((delivery) => objectKeys(delivery.body));
    expect(fromText.every((keys) => inOrder(keys, exampleOrder))).toBe(true);
    expect(fromSchema.every((keys) => inOrder(keys, schemaOrder))).toBe(true);
    expect(fromText.some((keys) => keys.length > 2)).toBe(true);
  });
});

const event = (schema: unknown, extra: Record<string, unknown> = {}) => ({
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: { 'demo.created': { post: { requestBody: { content: { 'application/json': { schema } } }, responses: { '200': { description: 'ok' } } } } },
  ...extra,
});

describe('what makes an event or operation unreadable is refused with its JSON pointer', () => {
  it('an event without a JSON request body', async () => {
    const message = await refusal({ ...event({}), paths: { 'demo.created': { post: { responses: { '200': { description: 'ok' } } } } } });
    expect(message).toMatch(/doc\.json: \/paths\/demo\.created\/post\/requestBody: event "demo\.created" has no JSON request body with a schema$/);
  });

  it('a $ref an event uses that points to nothing', async () => {
    const message = await refusal(event({ type: 'object', properties: { payload: { $ref: '#/components/schemas/Gone' } } }));
    expect(message).toContain('/paths/demo.created/post/requestBody/content/application~1json/schema/properties/payload: $ref "#/components/schemas/Gone" cannot be resolved');
  });

  it('a $ref to another file', async () => {
    expect(await refusal(event({ $ref: 'other.json#/Body' }))).toContain('only references within the same file are resolved');
  });

  it('a recursive schema in an event', async () => {
    const document = event(
      { $ref: '#/components/schemas/Node' },
      { components: { schemas: { Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } } } } },
    );
    expect(await refusal(document)).toMatch(/recursive schema .*not supported/);
  });

  it('a schema JSON Schema cannot compile', async () => {
    expect(await refusal(event({ type: 'object', properties: { a: { minLength: 'three' } } }))).toMatch(
      /\/paths\/demo\.created\/post\/requestBody\/content\/application~1json\/schema: the schema cannot be compiled/,
    );
  });

  it('a parameter without name and in', async () => {
    const document = { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/x': { get: { parameters: [{ schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } } } };
    expect(await refusal(document)).toMatch(/\/paths\/~1x\/get\/parameters\/0: a parameter without "name" and "in"$/);
  });
});

describe('what is not a deviation', () => {
  it('OpenAPI 3.0 keywords in a 3.0 document are translated silently', async () => {
    const spec = await loadDocument({
      ...event({ type: 'object', properties: { a: { type: 'string', nullable: true, example: 'x' }, n: { type: 'integer', minimum: 1, exclusiveMinimum: true } } }),
      openapi: '3.0.3',
    });
    expect(spec.deviations).toEqual([]);
    expect(spec.events[0]!.body.schema.properties).toEqual({ a: { type: ['string', 'null'], example: 'x' }, n: { type: 'integer', exclusiveMinimum: 1 } });
  });

  it('x- keys of paths and responses are extensions, never events or statuses; $ref siblings in 3.1 schemas apply', async () => {
    const spec = await loadDocument({
      ...event({ type: 'object', properties: { id: { $ref: '#/components/schemas/Id', maxLength: 5 } } }),
      components: { schemas: { Id: { type: 'string' } } },
    });
    (spec.document.paths as Record<string, unknown>)['x-note'] = 'ignored';
    expect(spec.deviations).toEqual([]);
    expect(spec.events[0]!.body.schema.properties!.id).toEqual({ allOf: [{ type: 'string' }], maxLength: 5 });
    const withExtensions = await loadDocument({
      ...event({ type: 'object' }),
      paths: {
        ...event({ type: 'object' }).paths,
        'x-zoom-meta': { post: { requestBody: { content: { 'application/json': { schema: {} } } } } },
        '/y': { get: { responses: { '200': { description: 'ok' }, 'x-rate-limit': 'none' } } },
      },
    });
    expect(withExtensions.events.map((candidate) => candidate.name)).toEqual(['demo.created']);
    expect(withExtensions.operations[0]!.responses.map((response) => response.status)).toEqual(['200']);
    expect(withExtensions.deviations).toEqual([]);
  });
});
