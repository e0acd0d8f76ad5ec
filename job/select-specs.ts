/**
 * Resolves `--system` and `--spec` options to loaded specs. `--spec` is repeatable: several files are read as one
 * catalog (events merged by name, operations by method and path; a name two files define is an error naming both).
 * Each file's deviations from OpenAPI are printed once, as a one-line summary on stderr; `--spec-strict` refuses
 * them instead.
 */
import path from 'node:path';
import { printable } from '../reports/console.js';
import { shellQuote } from '../reports/curl.js';
import type { ConformanceReport } from '../reports/report.js';
import { BUNDLED_SYSTEMS, isBundledSystem, loadBundledSpec, loadSpecFile, SpecError, type Spec, type WebhookEvent } from '../specs/catalog.js';
import { summariseDeviations } from '../specs/spec-deviations.js';
import { closestName } from './closest-name.js';
import { UsageError } from './usage-error.js';

/** Where spec files are found (relative names) and where their deviations are reported (one line each). */
export interface SpecIo {
  cwd: string;
  stderr: { write(text: string): unknown };
}

export interface SpecSelection {
  /** Comma-separated bundled system names. */
  system?: string;
  /** User spec files (`--spec`, repeatable). */
  spec?: string[];
  /** Refuse spec files that deviate from OpenAPI (`--spec-strict`). */
  specStrict?: boolean;
}

/**
 * The specs a command works on: the named bundled systems, the user files, or (neither given) `defaults`.
 * Unknown system names are usage errors; spec file problems surface as SpecError.
 */
export async function selectSpecs(selection: SpecSelection, io: SpecIo, defaults: readonly string[] = BUNDLED_SYSTEMS): Promise<Spec[]> {
  const files = selection.spec ?? [];
  const names = selection.system !== undefined ? splitList(selection.system) : files.length > 0 ? [] : [...defaults];
  if (selection.system !== undefined && names.length === 0) throw new UsageError('--system needs at least one system name');
  const specs: Spec[] = [];
  for (const name of names) {
    if (!isBundledSystem(name)) {
      throw new UsageError(`unknown system "${name}" (known: ${BUNDLED_SYSTEMS.join(', ')}; use --spec FILE for your own)`);
    }
    specs.push(loadBundledSpec(name));
  }
  specs.push(...(await loadSpecFiles(files, io, selection.specStrict === true)));
  return specs;
}

/** Loads `--spec` files, warns once per file about its deviations, and checks that no two define the same thing. */
export async function loadSpecFiles(files: readonly string[], io: SpecIo, strict: boolean): Promise<Spec[]> {
  const seen = new Map<string, string>();
  const systems = new Set<string>(BUNDLED_SYSTEMS);
  const specs: Spec[] = [];
  for (const given of files) {
    const file = path.resolve(io.cwd, given);
    if (seen.has(file)) throw new UsageError(`--spec ${given} is given twice`);
    seen.set(file, given);
    let spec = await loadSpecFile(file, { strict });
    // Two files of the same base name (two folders' zoom.json) get distinct system names.
    let system = spec.system;
    for (let index = 2; systems.has(system); index++) system = `${spec.system}-${index}`;
    systems.add(system);
    if (system !== spec.system) spec = renameSystem(spec, system);
    if (spec.deviations.length > 0) {
      io.stderr.write(`conformance: warning: ${printable(given)}: ${printable(summariseDeviations(spec.deviations, spec.openapi ?? '3.1'))}; --spec-strict refuses them\n`);
    }
    specs.push(spec);
  }
  rejectDuplicates(specs, (spec) => spec.events.map((event) => event.name), 'event');
  rejectDuplicates(specs, (spec) => spec.operations.map((operation) => `${operation.method.toUpperCase()} ${operation.path}`), 'operation');
  return specs;
}

function renameSystem(spec: Spec, system: string): Spec {
  return {
    ...spec,
    system,
    events: spec.events.map((event) => ({ ...event, system })),
    operations: spec.operations.map((operation) => ({ ...operation, system })),
  };
}

function rejectDuplicates(specs: readonly Spec[], names: (spec: Spec) => string[], what: string): void {
  const owner = new Map<string, Spec>();
  for (const spec of specs) {
    for (const name of names(spec)) {
      const first = owner.get(name);
      if (first && first !== spec) {
        throw new SpecError(spec.source, `${what} "${printable(name)}" is defined in ${printable(first.source)} too (each ${what} may be defined by one --spec file only)`);
      }
      owner.set(name, spec);
    }
  }
}

/** The one event of that name in the specs; an unknown name (with the likely intended one) or one in several specs is a usage error. */
export function findEvent(specs: readonly Spec[], name: string): WebhookEvent {
  const matches = specs.flatMap((spec) => spec.events.filter((event) => event.name === name));
  if (matches.length === 1) return matches[0]!;
  const systems = specs.map((spec) => spec.system).join(', ');
  if (matches.length > 1) throw new UsageError(`event "${name}" is in several specs (${matches.map((event) => event.system).join(', ')}): choose one with --system`);
  const suggestion = closestName(name, specs.flatMap((spec) => spec.events.map((event) => event.name)));
  throw new UsageError(`unknown event "${name}" in ${systems}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; see: conformance list`);
}

/** The `--spec` arguments that repeat a selection, for reproduce lines. */
export function specArguments(selection: SpecSelection): string {
  return [...(selection.spec ?? []).map((file) => `--spec ${shellQuote(file)}`), selection.specStrict ? '--spec-strict' : ''].filter(Boolean).join(' ');
}

/** The report's record of the user files' deviations (`config.specDeviations`), or nothing when there are none. */
export function specDeviationsConfig(specs: readonly Spec[], cwd: string): Pick<ConformanceReport['config'], 'specDeviations'> {
  const entries: NonNullable<ConformanceReport['config']['specDeviations']> = [];
  for (const spec of specs) {
    const byKind = new Map<string, string[]>();
    for (const deviation of spec.deviations) byKind.set(deviation.kind, [...(byKind.get(deviation.kind) ?? []), deviation.pointer]);
    const file = path.relative(cwd, spec.source) || spec.source;
    for (const [kind, pointers] of byKind) entries.push({ file, kind, count: pointers.length, pointers: pointers.slice(0, MAX_POINTERS) });
  }
  return entries.length > 0 ? { specDeviations: entries } : {};
}

/** The report keeps the first pointers of each kind (the count is exact). */
const MAX_POINTERS = 20;

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export { SpecError };
