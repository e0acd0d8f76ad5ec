import { describe, expect, it } from 'vitest';
import { applyProseFacts, proseFacts } from '../tools/seeds/prose-facts.js';

describe('facts stated in field prose', () => {
  it('reads a length in characters as maxLength, in either phrasing', () => {
    expect(proseFacts('Can be alphanumeric, up to a maximum length of 36 characters.', 'string')).toEqual({ maxLength: 36 });
    expect(proseFacts('The answer. This has a limit of 128 characters.', 'string')).toEqual({ maxLength: 128 });
  });

  it('does not read a length in bytes, or a number that is not a limit', () => {
    expect(proseFacts('Each has a maximum length of 256 bytes.', 'string')).toEqual({});
    expect(proseFacts('Up to 30 frames per second.', 'string')).toEqual({});
  });

  it('reads an item range on an array, and only on an array', () => {
    expect(proseFacts('Ability to add 1..10 custom headers.', 'array')).toEqual({ minItems: 1, maxItems: 10 });
    expect(proseFacts('Ability to add 1..10 custom headers.', 'string')).toEqual({});
  });

  it('reads a description that starts with "Deprecated" as deprecated', () => {
    expect(proseFacts('Deprecated, use location.', 'string')).toEqual({ deprecated: true });
    expect(proseFacts('Not deprecated at all.', 'string')).toEqual({});
  });

  it('refuses a character length on a non-string field, and contradictions', () => {
    expect(() => proseFacts('A maximum length of 5 characters.', 'integer')).toThrow(/integer field/);
    expect(() => proseFacts('A maximum length of 5 characters, or a limit of 6 characters.', 'string')).toThrow(/different lengths/);
    const schema = { type: 'string' as const, maxLength: 10 };
    expect(() => applyProseFacts(schema, { maxLength: 12 })).toThrow(/contradicts/);
    applyProseFacts(schema, { maxLength: 10 });
    expect(schema).toEqual({ type: 'string', maxLength: 10 });
  });
});
