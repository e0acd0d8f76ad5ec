import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SYSTEMS, loadBundledSpec } from '../specs/catalog.js';
import { SchemaValidator } from '../specs/schema-validator.js';
import { REPO_ROOT, SEED_DIR, seedsAvailable } from './support/paths.js';
import { closeObjects, disagreements, sourceExampleCases, type Disagreement, type ExampleCase } from './support/source-examples.js';

interface Fixture {
  emptyPlaceholders: { reason: string; keyword: string; cases: string[] };
  other: (Disagreement & { reason: string })[];
}

const fixture = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/source-example-contradictions.json'), 'utf8')) as Fixture;
const haveSeeds = seedsAvailable();
const key = (item: Disagreement) => `${item.system} ${item.operation} ${item.example} ${item.path}`;
const valueAt = (value: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, part) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), value);

/** The examples attached to the committed specs (available without the source documents). */
function embeddedExampleCases(): ExampleCase[] {
  const cases: ExampleCase[] = [];
  for (const system of BUNDLED_SYSTEMS) {
    const spec = loadBundledSpec(system);
    for (const event of spec.events) {
      if (event.body.example !== undefined) cases.push({ system, operation: event.name, example: 'request', schema: event.body.schema, value: event.body.example });
    }
    for (const operation of spec.operations) {
      const name = `${operation.method.toUpperCase()} ${operation.path}`;
      if (operation.requestBody?.example !== undefined) {
        cases.push({ system, operation: name, example: 'request', schema: operation.requestBody.schema, value: operation.requestBody.example });
      }
      for (const response of operation.responses) {
        if (response.content?.example !== undefined) {
          cases.push({ system, operation: name, example: `response ${response.status}`, schema: response.content.schema, value: response.content.example });
        }
      }
    }
  }
  return cases;
}

function expectMatchesFixture(found: Disagreement[], cases: ExampleCase[], allowedSubset: boolean): void {
  const placeholders = found.filter((item) => item.keyword === fixture.emptyPlaceholders.keyword);
  const other = found.filter((item) => item.keyword !== fixture.emptyPlaceholders.keyword);
  // The placeholder reason is checked, not just asserted: each such value really is "".
  for (const item of placeholders) {
    const example = cases.find((candidate) => candidate.system === item.system && candidate.operation === item.operation && candidate.example === item.example);
    expect(valueAt(example?.value, item.path), key(item)).toBe('');
  }
  const expectedOther = fixture.other.map(({ reason, ...item }) => {
    expect(reason.length).toBeGreaterThan(20);
    return item;
  });
  if (allowedSubset) {
    expect(placeholders.map(key).filter((item) => !fixture.emptyPlaceholders.cases.includes(item))).toEqual([]);
    expect(other.filter((item) => !expectedOther.some((expected) => key(expected) === key(item) && expected.keyword === item.keyword))).toEqual([]);
  } else {
    expect(placeholders.map(key).sort()).toEqual([...fixture.emptyPlaceholders.cases].sort());
    expect([...other].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...expectedOther].sort((a, b) => key(a).localeCompare(key(b))));
  }
}

describe('the examples of the source documents validate against the derived schemas', () => {
  it.skipIf(!haveSeeds)('every source example validates, except the listed self-contradictions of the source', () => {
    const cases = sourceExampleCases(SEED_DIR);
    // 169 request examples + 169 response examples + the REST examples.
    expect(cases.length).toBeGreaterThanOrEqual(169 * 2 + 30);
    expectMatchesFixture(disagreements(cases), cases, false);
  });

  it('every example attached to the committed specs validates, except the listed self-contradictions', () => {
    const cases = embeddedExampleCases();
    expect(cases.filter((item) => item.example === 'request' && !item.operation.includes(' ')).length).toBe(169);
    expectMatchesFixture(disagreements(cases), cases, true);
  });

  it('the strict validation used here really rejects undeclared keys, wrong types and bad formats', () => {
    const validator = new SchemaValidator();
    const schema = closeObjects({
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'integer' }, when: { type: 'string', format: 'date-time' } },
    });
    expect(validator.validate(schema, { a: 1, when: '2024-01-01T00:00:00Z' })).toEqual([]);
    expect(validator.validate(schema, { a: 1, extra: true }).map((problem) => problem.path)).toEqual(['/extra']);
    expect(validator.validate(schema, { a: '1' }).map((problem) => problem.keyword)).toEqual(['type']);
    expect(validator.validate(schema, { a: 1, when: '' }).map((problem) => problem.keyword)).toEqual(['format']);
    expect(validator.validate(schema, {}).map((problem) => problem.path)).toEqual(['/a']);
    const open = closeObjects({ type: 'object', additionalProperties: true, properties: { a: { type: 'integer' } } });
    expect(validator.validate(open, { a: 1, additionalProperty: 'anything' })).toEqual([]);
  });
});
