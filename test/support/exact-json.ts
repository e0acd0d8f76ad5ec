/**
 * Checks of a raw body that go beyond JSON.parse: integers exactly as written in the text (lossless-json keeps
 * every number's digits), against the schema's int64 range.
 */
import { isLosslessNumber, parse as parseLossless, type LosslessNumber } from 'lossless-json';
import type { JsonSchema } from '../../specs/json-schema.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE = 2n ** 53n;

export interface NumberProblem {
  path: string;
  text: string;
  problem: string;
}

/**
 * Every number in the raw text, checked exactly: an `integer` must be written as an integer literal; an int64
 * field must hold a value in [-2^63, 2^63-1]; any other integer field must stay within 2^53 (beyond it, no
 * parser keeps its value, so the generator must not produce it there).
 */
export function exactNumberProblems(text: string, schema: JsonSchema): NumberProblem[] {
  const problems: NumberProblem[] = [];
  const tree = parseLossless(text);
  const visit = (node: unknown, current: JsonSchema | undefined, path: string) => {
    if (isLosslessNumber(node)) {
      const literal = (node as LosslessNumber).value;
      const type = current?.type;
      const isInteger = type === 'integer' || (Array.isArray(type) && type.includes('integer') && !type.includes('number'));
      if (isInteger) {
        if (!/^-?\d+$/.test(literal)) problems.push({ path, text: literal, problem: 'an integer field holds a non-integer literal' });
        else {
          const value = BigInt(literal);
          if (current?.format === 'int64' && (value < INT64_MIN || value > INT64_MAX)) problems.push({ path, text: literal, problem: 'outside int64' });
          if (current?.format !== 'int64' && (value > SAFE || value < -SAFE)) problems.push({ path, text: literal, problem: 'beyond 2^53 in a field that is not int64' });
        }
      }
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, current?.items, `${path}/${index}`));
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const alternatives = current?.anyOf ?? current?.oneOf;
        const declared = current?.properties?.[key] ?? alternatives?.map((alternative) => alternative.properties?.[key]).find(Boolean);
        visit(child, declared, `${path}/${key}`);
      }
    }
  };
  visit(tree, schema, '');
  return problems;
}
