/** `--report` and `--out` for every command that writes reports: writing the formats, and the GitHub summary in Actions. */
import path from 'node:path';
import { writeReportFiles } from '../job/report-files.js';
import { publishToGitHub } from '../reports/github.js';
import type { ConformanceReport } from '../reports/report.js';
import type { Io } from './io.js';

export { parseFormats } from '../job/report-files.js';

/** Writes the formats into `out` (relative to the working folder) and the GitHub summary when in Actions; returns the files, relative. */
export async function writeReports(report: ConformanceReport, formats: readonly string[], out: string, io: Io): Promise<string[]> {
  const files = await writeReportFiles(report, formats, path.resolve(io.cwd, out));
  await publishToGitHub(report, io);
  return files.map((file) => path.relative(io.cwd, file) || '.');
}
