/**
 * Developer tool: turns Zoom's source documents into the bundled OpenAPI 3.1 specs.
 *
 *   npm run import-specs -- ../shared/seeds            writes specs/zoom/*.json
 *   npm run import-specs -- ../shared/seeds --out DIR  writes elsewhere (used by the reproducibility test)
 *
 * Each source document is recognised by its rendering and title, parsed into a SeedDocument by the parser for
 * its rendering, and written by `to-openapi.ts`. Users never run this: the committed specs are the product's data.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeedDocument } from './seeds/model.js';
import { parseBullets } from './seeds/parse-bullets.js';
import { parseCompressed } from './seeds/parse-compressed.js';
import { parseMarkdown } from './seeds/parse-markdown.js';
import { toOpenApi, type SystemIdentity } from './seeds/to-openapi.js';

export type Rendering = 'bullets' | 'compressed' | 'markdown';

interface Target extends SystemIdentity {
  rendering: Rendering;
  /** The document's own title, as its first line states it. */
  sourceTitle: string;
  file: string;
}

/** The five documents the product bundles, keyed by (rendering, title). */
export const TARGETS: readonly Target[] = [
  { rendering: 'compressed', sourceTitle: 'Meetings', system: 'meetings', kind: 'webhooks', title: 'Zoom Meetings webhooks', file: 'meetings.webhooks.json' },
  { rendering: 'bullets', sourceTitle: 'Video SDK', system: 'video-sdk', kind: 'webhooks', title: 'Zoom Video SDK webhooks', file: 'video-sdk.webhooks.json' },
  { rendering: 'compressed', sourceTitle: 'QSS', system: 'qss', kind: 'webhooks', title: 'Zoom QSS webhooks', file: 'qss.webhooks.json' },
  { rendering: 'compressed', sourceTitle: 'RTMS', system: 'rtms', kind: 'webhooks', title: 'Zoom RTMS webhooks', file: 'rtms.webhooks.json' },
  { rendering: 'markdown', sourceTitle: 'Video SDK', system: 'video-sdk-api', kind: 'api', title: 'Zoom Video SDK REST API', file: 'video-sdk.api.json' },
];

const PARSERS: Record<Rendering, (text: string) => SeedDocument> = {
  bullets: parseBullets,
  compressed: parseCompressed,
  markdown: parseMarkdown,
};

/** Recognises a rendering from the document's opening lines. */
export function detectRendering(text: string): Rendering {
  if (text.startsWith('# ')) return 'markdown';
  const head = text.slice(0, 400);
  if (/^\s+• OpenAPI Version:/m.test(head)) return 'bullets';
  if (/^- OpenAPI Version:/m.test(head)) return 'compressed';
  throw new Error('unrecognised rendering (expected a Markdown, bullet or compressed rendering of an OpenAPI document)');
}

export interface ImportResult {
  target: Target;
  source: string;
  document: Record<string, unknown>;
  text: string;
}

/** Reads every source document in `seedDir` and returns the five OpenAPI documents, serialized. */
export function importSeeds(seedDir: string): ImportResult[] {
  const files = readdirSync(seedDir).filter((name) => name.endsWith('.txt')).sort();
  const found = new Map<Target, { file: string; seed: SeedDocument }>();
  for (const name of files) {
    const file = path.join(seedDir, name);
    const text = readFileSync(file, 'utf8');
    let rendering: Rendering;
    try {
      rendering = detectRendering(text);
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    const seed = PARSERS[rendering](text);
    const target = TARGETS.find((candidate) => candidate.rendering === rendering && candidate.sourceTitle === seed.title);
    if (!target) throw new Error(`${file}: no bundled spec is derived from a ${rendering} document titled "${seed.title}"`);
    const first = found.get(target);
    if (first) throw new Error(`${file}: a second document for ${target.file} (first: ${first.file})`);
    found.set(target, { file, seed });
  }
  const missing = TARGETS.filter((target) => !found.has(target));
  if (missing.length > 0) {
    throw new Error(`${seedDir}: missing source documents for ${missing.map((target) => target.file).join(', ')}`);
  }
  return TARGETS.map((target) => {
    const { file, seed } = found.get(target)!;
    const document = toOpenApi(seed, target);
    return { target, source: file, document, text: `${JSON.stringify(document, null, 2)}\n` };
  });
}

function main(argv: string[]): number {
  const args = [...argv];
  let out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../specs/zoom');
  const outIndex = args.indexOf('--out');
  if (outIndex >= 0) {
    const value = args[outIndex + 1];
    if (!value) {
      process.stderr.write('import-specs: --out needs a directory\n');
      return 2;
    }
    out = path.resolve(value);
    args.splice(outIndex, 2);
  }
  const seedDir = args[0];
  if (!seedDir || args.length > 1) {
    process.stderr.write('usage: npm run import-specs -- <seed directory> [--out DIR]\n');
    return 2;
  }
  let results: ImportResult[];
  try {
    results = importSeeds(path.resolve(seedDir));
  } catch (error) {
    process.stderr.write(`import-specs: ${(error as Error).message}\n`);
    return 1;
  }
  mkdirSync(out, { recursive: true });
  for (const result of results) {
    const file = path.join(out, result.target.file);
    writeFileSync(file, result.text);
    const document = result.document as { webhooks?: object; paths?: Record<string, object> };
    const count =
      result.target.kind === 'webhooks'
        ? Object.keys(document.webhooks ?? {}).length
        : Object.values(document.paths ?? {}).reduce((sum, item) => sum + Object.keys(item).length, 0);
    const unit = result.target.kind === 'webhooks' ? 'events' : 'operations';
    process.stdout.write(`${path.relative(process.cwd(), file)}: ${count} ${unit} from ${path.basename(result.source)}\n`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
