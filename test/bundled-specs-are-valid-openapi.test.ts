import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SPECS } from '../specs/catalog.js';
import { SPEC_DIR } from './support/paths.js';

describe('every bundled spec is a valid OpenAPI 3.1 document', () => {
  for (const [system, file] of Object.entries(BUNDLED_SPECS)) {
    it(`${file} (${system}) validates against the OpenAPI 3.1 schema`, async () => {
      const document = JSON.parse(readFileSync(path.join(SPEC_DIR, file), 'utf8')) as Record<string, unknown>;
      const validator = new Validator();
      const result = await validator.validate(document);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
    });
  }

  it('the validator really rejects a broken 3.1 document (so the checks above can fail)', async () => {
    const validator = new Validator();
    const result = await validator.validate({ openapi: '3.1.0', info: { title: 'x' }, webhooks: { e: { post: { responses: 7 } } } });
    expect(result.valid).toBe(false);
  });
});
