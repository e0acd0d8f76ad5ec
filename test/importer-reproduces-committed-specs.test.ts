import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSeeds, TARGETS } from '../tools/import-seeds.js';
import { SEED_DIR, SPEC_DIR, seedsAvailable } from './support/paths.js';

const haveSeeds = seedsAvailable();

describe('the importer reproduces the committed specs', () => {
  it.skipIf(!haveSeeds)('re-running it on ../shared/seeds gives the committed files byte for byte', () => {
    const results = importSeeds(SEED_DIR);
    expect(results.map((result) => result.target.file).sort()).toEqual(TARGETS.map((target) => target.file).sort());
    for (const result of results) {
      const committed = readFileSync(path.join(SPEC_DIR, result.target.file), 'utf8');
      // Compare whole texts (a mismatch shows as a diff), then bytes to be exact about encoding.
      expect(result.text, result.target.file).toBe(committed);
      expect(Buffer.from(result.text).equals(readFileSync(path.join(SPEC_DIR, result.target.file)))).toBe(true);
    }
  });
});
