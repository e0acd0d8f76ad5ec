/** `--report` and `--out` for every command that writes reports: the formats asked for, and writing them. */
import path from 'node:path';
import { publishToGitHub } from '../reports/github.js';
import { REPORTERS, REPORT_FORMATS } from '../reports/index.js';
import type { ConformanceReport } from '../reports/report.js';
import { UsageError, type Io } from './io.js';
import { splitList } from './select-specs.js';

/** The formats of a `--report` list (each once); an unknown one is a usage error. */
export function parseFormats(list: string | undefined): string[] {
  const formats = [...new Set(splitList(list ?? ''))];
  const unknown = formats.find((format) => !REPORTERS[format]);
  if (unknown !== undefined) throw new UsageError(`--report: unknown format "${unknown}" (known: ${REPORT_FORMATS.join(', ')})`);
  return formats;
}

/** Writes the formats into `out` (relative to the working folder) and the GitHub summary when in Actions; returns the files, relative. */
export async function writeReports(report: ConformanceReport, formats: readonly string[], out: string, io: Io): Promise<string[]> {
  const dir = path.resolve(io.cwd, out);
  const files: string[] = [];
  for (const format of formats) files.push(path.relative(io.cwd, await REPORTERS[format]!.write(report, dir)) || '.');
  await publishToGitHub(report, io);
  return files;
}
