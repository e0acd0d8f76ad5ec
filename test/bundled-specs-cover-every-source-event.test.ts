import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { SEED_DIR, seedsAvailable } from './support/paths.js';

const EXPECTED_COUNTS = { meetings: 105, 'video-sdk': 36, qss: 14, rtms: 14 } as const;
const SOURCE_FILES = {
  'video-sdk': '000_982b69dd92c39bc0.txt',
  'video-sdk-api': '001_6cb72792691e575b.txt',
  meetings: '002_6b9eacb24a593404.txt',
  qss: '003_3a4f923fa839eb6d.txt',
  rtms: '004_17f9908e24c66fad.txt',
} as const;

const haveSeeds = seedsAvailable();

function sourceText(system: keyof typeof SOURCE_FILES): string {
  return readFileSync(path.join(SEED_DIR, SOURCE_FILES[system]), 'utf8');
}

describe('the bundled specs hold exactly the events and operations of the source documents', () => {
  it('169 webhook events: 105 meetings, 36 video-sdk, 14 qss, 14 rtms', () => {
    const counts = Object.fromEntries(WEBHOOK_SYSTEMS.map((system) => [system, loadBundledSpec(system).events.length]));
    expect(counts).toEqual(EXPECTED_COUNTS);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(169);
  });

  it('38 REST operations in the Video SDK API spec, and no webhook events in it', () => {
    const spec = loadBundledSpec('video-sdk-api');
    expect(spec.operations).toHaveLength(38);
    expect(spec.events).toHaveLength(0);
    expect(spec.servers).toEqual(['https://api.zoom.us/v2']);
  });

  for (const system of WEBHOOK_SYSTEMS) {
    it.skipIf(!haveSeeds)(`${system}: event names are exactly the source's "POST <event>" headings`, () => {
      const headings = [...sourceText(system).matchAll(/^POST ([a-z_]+(?:\.[a-z0-9_]+)+)\s*$/gm)].map((match) => match[1]);
      expect(headings).toHaveLength(EXPECTED_COUNTS[system as keyof typeof EXPECTED_COUNTS]);
      expect(loadBundledSpec(system).events.map((event) => event.name)).toEqual(headings);
    });
  }

  it.skipIf(!haveSeeds)('video-sdk-api: operations are exactly the source\'s Method/Path pairs', () => {
    const text = sourceText('video-sdk-api').replace(/\u00a0/g, ' ');
    const pairs = [...text.matchAll(/\*\*Method:\*\*\s*`([A-Z]+)`\s*-\s*\*\*Path:\*\*\s*`([^`]+)`/g)].map(
      (match) => `${match[1]!.toLowerCase()} ${match[2]}`,
    );
    expect(pairs).toHaveLength(38);
    const operations = loadBundledSpec('video-sdk-api').operations.map((operation) => `${operation.method} ${operation.path}`);
    expect([...operations].sort()).toEqual([...pairs].sort());
  });

  it('every path template parameter is declared as a required path parameter', () => {
    for (const operation of loadBundledSpec('video-sdk-api').operations) {
      const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const declared = operation.parameters.filter((parameter) => parameter.in === 'path');
      expect(declared.map((parameter) => parameter.name)).toEqual(names);
      expect(declared.every((parameter) => parameter.required)).toBe(true);
    }
  });

  it('the REST spec declares bearer JWT security for every operation', () => {
    const spec = loadBundledSpec('video-sdk-api');
    const schemes = (spec.document.components as { securitySchemes: Record<string, unknown> }).securitySchemes;
    expect(schemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    expect(spec.document.security).toEqual([{ bearerAuth: [] }]);
    expect(spec.operations.every((operation) => !operation.public)).toBe(true);
  });
});
