/** The report files a job writes (`--report`, `report`): the formats asked for, checked, and writing them into a folder. */
import { REPORTERS, REPORT_FORMATS } from '../reports/index.js';
import type { ConformanceReport } from '../reports/report.js';
import { splitList } from './select-specs.js';
import { UsageError } from './usage-error.js';

/** The formats of a list (each once); an unknown one is a usage error. */
export function parseFormats(list: string | readonly string[] | undefined, name = '--report'): string[] {
  const formats = [...new Set(typeof list === 'string' || list === undefined ? splitList(list ?? '') : list.flatMap((item) => splitList(item)))];
  const unknown = formats.find((format) => !REPORTERS[format]);
  if (unknown !== undefined) throw new UsageError(`${name}: unknown format "${unknown}" (known: ${REPORT_FORMATS.join(', ')})`);
  return formats;
}

/** Writes the formats into the folder `dir` (created if need be); returns the files written. */
export async function writeReportFiles(report: ConformanceReport, formats: readonly string[], dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const format of formats) files.push(await REPORTERS[format]!.write(report, dir));
  return files;
}
