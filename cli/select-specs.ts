/** Resolves `--system` and `--spec` options to loaded specs. */
import { BUNDLED_SYSTEMS, isBundledSystem, loadBundledSpec, loadSpecFile, SpecError, type Spec } from '../specs/catalog.js';
import path from 'node:path';
import { UsageError } from './io.js';

export interface SpecSelection {
  /** Comma-separated bundled system names. */
  system?: string;
  /** A user spec file. */
  spec?: string;
}

/**
 * The specs a command works on: the named bundled systems, the user file, or (neither given) `defaults`.
 * Unknown system names are usage errors; spec file problems surface as SpecError.
 */
export async function selectSpecs(selection: SpecSelection, cwd: string, defaults: readonly string[] = BUNDLED_SYSTEMS): Promise<Spec[]> {
  const names = selection.system !== undefined ? splitList(selection.system) : selection.spec ? [] : [...defaults];
  if (selection.system !== undefined && names.length === 0) throw new UsageError('--system needs at least one system name');
  const specs: Spec[] = [];
  for (const name of names) {
    if (!isBundledSystem(name)) {
      throw new UsageError(`unknown system "${name}" (known: ${BUNDLED_SYSTEMS.join(', ')}; use --spec FILE for your own)`);
    }
    specs.push(loadBundledSpec(name));
  }
  if (selection.spec) specs.push(await loadSpecFile(path.resolve(cwd, selection.spec)));
  return specs;
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export { SpecError };
