/**
 * Configuration files of the main job: `conformance.config.json`, `.mjs` or `.ts`, or the `"conformance"` key of
 * `package.json`, found from the working folder upward (the first folder holding one wins), or named with
 * `--config FILE`. A file holds any option of the main job under its library name (`retryAfter`, `suites`); a module
 * exports them as its default (an object, or a function returning one), and may give `target` as a request listener
 * or fetch handler and `observe` as a function. Relative paths in a file (`spec`, `out`, `baseline`) start from the
 * file's folder. Checked against the options' JSON Schema: an unknown key or a bad value is one line naming the file.
 *
 * A `.ts` file needs a TypeScript loader, which Node 20 does not have: Node's own when it has one (type stripping),
 * else `tsx` installed in the project (or beside this package); otherwise one line says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkOptions, type ConfigOptions } from './options.js';
import { UsageError } from './usage-error.js';

/** The names looked for in each folder, in this order. */
export const CONFIG_FILES = ['conformance.config.json', 'conformance.config.mjs', 'conformance.config.ts'] as const;

export interface LoadedConfig {
  /** Where the options came from, as messages name it: `conformance.config.json`, `../package.json "conformance"`. */
  source: string;
  /** The file, absolute. */
  file: string;
  options: ConfigOptions;
}

/** The option keys whose values are paths (made relative to the working folder). */
const PATH_KEYS = ['spec', 'out', 'baseline'] as const;

/** The configuration named by `--config`, or the first found from `cwd` upward; undefined when there is none. */
export async function loadConfig(cwd: string, named?: string): Promise<LoadedConfig | undefined> {
  if (named !== undefined) {
    const file = path.resolve(cwd, named);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new UsageError(`--config ${named}: no such file`);
    return path.basename(file) === 'package.json' ? fromPackageJson(file, cwd, true) : fromFile(file, cwd);
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const found = CONFIG_FILES.map((name) => path.join(dir, name)).filter((file) => existsSync(file));
    const packageJson = path.join(dir, 'package.json');
    const fromPackage = existsSync(packageJson) ? await fromPackageJson(packageJson, cwd, false) : undefined;
    const all = [...found.map((file) => relative(cwd, file)), ...(fromPackage ? [fromPackage.source] : [])];
    if (all.length > 1) throw new UsageError(`${all.join(' and ')} both configure conformance: keep one (or name one with --config)`);
    if (found[0]) return fromFile(found[0], cwd);
    if (fromPackage) return fromPackage;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function fromPackageJson(file: string, cwd: string, required: boolean): Promise<LoadedConfig | undefined> {
  const source = `${relative(cwd, file)} "conformance"`;
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if (!required) return undefined;
    throw new UsageError(`${relative(cwd, file)}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const value = manifest !== null && typeof manifest === 'object' ? (manifest as Record<string, unknown>).conformance : undefined;
  if (value === undefined) {
    if (required) throw new UsageError(`${relative(cwd, file)} has no "conformance" key`);
    return undefined;
  }
  return checked(value, source, file, cwd, 'json');
}

async function fromFile(file: string, cwd: string): Promise<LoadedConfig> {
  const source = relative(cwd, file);
  if (file.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    return checked(value, source, file, cwd, 'json');
  }
  let module: { default?: unknown };
  try {
    module = (await (/\.[cm]?ts$/.test(file) ? importTypeScript(file, source) : import(pathToFileURL(file).href))) as { default?: unknown };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${source}: cannot load it: ${firstLine(error)}`);
  }
  let value = unwrapDefault(module.default);
  if (value === undefined) throw new UsageError(`${source} has no default export: export default { target: ..., ... }`);
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (error) {
      throw new UsageError(`${source}: its default export threw: ${firstLine(error)}`);
    }
  }
  return checked(value, source, file, cwd, 'module');
}

function checked(value: unknown, source: string, file: string, cwd: string, kind: 'json' | 'module'): LoadedConfig {
  checkOptions(value, { where: source, source: kind });
  const options = { ...(value as ConfigOptions) };
  // Paths in the file start from its folder; the job resolves them from the working folder.
  const rebase = (entry: string) => path.relative(cwd, path.resolve(path.dirname(file), entry)) || '.';
  for (const key of PATH_KEYS) {
    const entry = options[key];
    if (typeof entry === 'string') (options as Record<string, unknown>)[key] = key === 'spec' ? entry.split(',').map((item) => rebase(item.trim())) : rebase(entry);
    else if (Array.isArray(entry)) (options as Record<string, unknown>)[key] = entry.map(rebase);
  }
  return { source, file, options };
}

/**
 * A module's default export. A TypeScript file outside a `"type": "module"` package is compiled to CommonJS: its
 * `export default` arrives as the `default` of the CommonJS exports.
 */
function unwrapDefault(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !('default' in value)) return value;
  const keys = Object.keys(value);
  return keys.every((key) => key === 'default' || key === '__esModule') ? (value as { default: unknown }).default : value;
}

/** Imports a TypeScript module: through Node's own type stripping when it has it, else through tsx. */
async function importTypeScript(file: string, source: string): Promise<unknown> {
  if ((process.features as { typescript?: unknown }).typescript) return import(pathToFileURL(file).href);
  for (const from of [file, import.meta.url]) {
    const entry = tsxEsmApi(from);
    if (!entry) continue;
    const api = (await import(pathToFileURL(entry).href)) as { tsImport?: (specifier: string, parent: string) => Promise<unknown> };
    if (api.tsImport) return api.tsImport(pathToFileURL(file).href, import.meta.url);
  }
  throw new UsageError(
    `${source}: Node ${process.versions.node} cannot load TypeScript by itself: install tsx in your project (npm install --save-dev tsx), or write conformance.config.mjs`,
  );
}

/** tsx's ESM API (`tsx/esm/api`, its `import` entry) as installed where `from` resolves packages; undefined when it is not. */
function tsxEsmApi(from: string): string | undefined {
  try {
    const manifest = createRequire(from).resolve('tsx/package.json');
    const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> }).exports;
    const entry = exports?.['./esm/api']?.import?.default;
    return entry ? path.join(path.dirname(manifest), entry) : undefined;
  } catch {
    return undefined;
  }
}

function relative(cwd: string, file: string): string {
  return path.relative(cwd, file) || path.basename(file);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
