/**
 * Facts that Zoom's documents state only in a field's prose: length limits, item counts and deprecation.
 * Shared by every parser so that the three renderings read the same sentences the same way. The prose itself is
 * never kept.
 */
import type { JsonSchema, JsonType } from '../../specs/json-schema.js';

export type ProseFacts = Pick<JsonSchema, 'maxLength' | 'minItems' | 'maxItems' | 'deprecated'>;

/**
 * Reads the limits a description states:
 * - "maximum length of N characters" / "limit of N characters" on a string: `maxLength` (a limit in bytes is
 *   a different limit and is not mapped);
 * - "N..M <things>" on an array (e.g. "add 1..10 custom headers"): `minItems` and `maxItems`;
 * - a description that starts with "Deprecated": `deprecated: true`.
 * Throws (the caller adds its context) when a limit is stated for a field of the wrong type or twice, differently.
 */
export function proseFacts(description: string, type: JsonType | undefined): ProseFacts {
  const facts: ProseFacts = {};
  const lengths = [...description.matchAll(/\b(?:maximum length|limit) of (\d+) characters\b/gi)].map((match) => Number(match[1]));
  if (lengths.length > 0) {
    if (type !== 'string') throw new Error(`a length in characters is stated for a ${type ?? 'typeless'} field`);
    if (new Set(lengths).size > 1) throw new Error(`different lengths are stated: ${lengths.join(', ')}`);
    facts.maxLength = lengths[0]!;
  }
  const range = /\b(\d+)\.\.(\d+)\s+[a-z]/i.exec(description);
  if (range && type === 'array') {
    facts.minItems = Number(range[1]);
    facts.maxItems = Number(range[2]);
    if (facts.minItems > facts.maxItems) throw new Error(`the item range ${range[1]}..${range[2]} is empty`);
  }
  if (/^\s*deprecated\b/i.test(description)) facts.deprecated = true;
  return facts;
}

/** Adds prose facts to a schema; a fact that contradicts one the annotation already states is an error. */
export function applyProseFacts(schema: JsonSchema, facts: ProseFacts): void {
  for (const [key, value] of Object.entries(facts) as [keyof ProseFacts, number | boolean][]) {
    const current = schema[key];
    if (current !== undefined && current !== value) throw new Error(`${key} ${String(current)} contradicts the text (${String(value)})`);
    (schema as Record<string, unknown>)[key] = value;
  }
}
