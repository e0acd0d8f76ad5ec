/**
 * Every JSON example of the source documents, paired with the schema the bundled spec derives for it, and a
 * validation that reports where an example and its schema disagree.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonSchema } from '../../specs/json-schema.js';
import { loadBundledSpec, type BundledSystem, type Spec } from '../../specs/catalog.js';
import { SchemaValidator } from '../../specs/schema-validator.js';
import { importSeeds } from '../../tools/import-seeds.js';
import { parseBullets } from '../../tools/seeds/parse-bullets.js';
import { parseCompressed } from '../../tools/seeds/parse-compressed.js';
import { parseMarkdown } from '../../tools/seeds/parse-markdown.js';
import type { SeedDocument } from '../../tools/seeds/model.js';

export interface ExampleCase {
  system: string;
  /** Event name, or `METHOD /path`. */
  operation: string;
  /** `request` or `response <status>`. */
  example: string;
  schema: JsonSchema;
  value: unknown;
}

export interface Disagreement {
  system: string;
  operation: string;
  example: string;
  path: string;
  keyword: string;
}

/** Pairs every example in the source documents with the bundled spec's schema for it. */
export function sourceExampleCases(seedDir: string): ExampleCase[] {
  const cases: ExampleCase[] = [];
  for (const result of importSeeds(seedDir)) {
    const system = result.target.system;
    const text = readFileSync(result.source, 'utf8');
    const seed: SeedDocument = { bullets: parseBullets, compressed: parseCompressed, markdown: parseMarkdown }[result.target.rendering](text);
    const spec = loadBundledSpec(system as BundledSystem);
    for (const operation of seed.operations) {
      if (result.target.kind === 'webhooks') {
        const event = spec.events.find((candidate) => candidate.name === operation.path);
        if (!event) throw new Error(`${system}: ${operation.path} is not in the bundled spec`);
        if (operation.requestBody?.example !== undefined) {
          cases.push({ system, operation: operation.path, example: 'request', schema: event.body.schema, value: operation.requestBody.example });
        }
        for (const response of operation.responses) {
          if (response.content?.example === undefined) continue;
          // The bundled spec drops a response body that repeats the event body; such examples are event bodies.
          cases.push({
            system,
            operation: operation.path,
            example: `response ${response.status}`,
            schema: responseSchema(spec, operation.path, response.status) ?? event.body.schema,
            value: response.content.example,
          });
        }
      } else {
        const name = `${operation.method.toUpperCase()} ${operation.path}`;
        const apiOperation = spec.operations.find((candidate) => candidate.method === operation.method && candidate.path === operation.path);
        if (!apiOperation) throw new Error(`${system}: ${name} is not in the bundled spec`);
        if (operation.requestBody?.example !== undefined) {
          cases.push({ system, operation: name, example: 'request', schema: apiOperation.requestBody!.schema, value: operation.requestBody.example });
        }
        for (const response of operation.responses) {
          if (response.content?.example === undefined) continue;
          const declared = apiOperation.responses.find((candidate) => candidate.status === response.status)?.content;
          if (!declared) throw new Error(`${system}: ${name} ${response.status} has an example but no body in the spec`);
          cases.push({ system, operation: name, example: `response ${response.status}`, schema: declared.schema, value: response.content.example });
        }
      }
    }
  }
  return cases;
}

function responseSchema(spec: Spec, event: string, status: string): JsonSchema | undefined {
  const webhooks = spec.document.webhooks as Record<string, { post: { responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> } }>;
  return webhooks[event]?.post.responses[status]?.content?.['application/json']?.schema;
}

/**
 * A copy of the schema in which every object that is not explicitly open rejects undeclared properties, so
 * that an example key the schema does not declare is reported instead of passing silently.
 */
export function closeObjects(schema: JsonSchema): JsonSchema {
  const copy: JsonSchema = { ...schema };
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([name, child]) => [name, closeObjects(child)]));
  }
  const isObject = copy.type === 'object' || (Array.isArray(copy.type) && copy.type.includes('object'));
  if (isObject && copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  if (copy.items) copy.items = closeObjects(copy.items);
  if (copy.anyOf) copy.anyOf = copy.anyOf.map(closeObjects);
  if (copy.oneOf) copy.oneOf = copy.oneOf.map(closeObjects);
  return copy;
}

/** Validates each case strictly (formats on, undeclared keys rejected) and lists every disagreement. */
export function disagreements(cases: ExampleCase[]): Disagreement[] {
  const validator = new SchemaValidator();
  const out: Disagreement[] = [];
  for (const item of cases) {
    for (const problem of validator.validate(closeObjects(item.schema), item.value)) {
      if (problem.keyword === 'anyOf') continue; // the failing alternative's own errors are listed too
      out.push({ system: item.system, operation: item.operation, example: item.example, path: problem.path, keyword: problem.keyword });
    }
  }
  return dedupe(out);
}

function dedupe(list: Disagreement[]): Disagreement[] {
  const seen = new Set<string>();
  return list.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const SEED_FILES_ROOT = path.sep;
