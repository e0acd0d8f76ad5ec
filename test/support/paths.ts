import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SEED_DIR = path.resolve(REPO_ROOT, '../shared/seeds');
export const SPEC_DIR = path.join(REPO_ROOT, 'specs/zoom');
export const CLI = path.join(REPO_ROOT, 'bin/conformance.js');

/**
 * Whether the source documents are here. On a user's machine tests that need them skip; under CI=true they
 * must be present, so their absence fails loudly instead of skipping.
 */
export function seedsAvailable(): boolean {
  const present = existsSync(path.join(SEED_DIR, 'README.md'));
  if (!present && process.env.CI === 'true') {
    throw new Error(`CI=true but the source documents are missing at ${SEED_DIR}`);
  }
  return present;
}
