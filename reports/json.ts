/** The JSON report: `conformance.json`, the report object as it is. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConformanceReport } from './report.js';

export const jsonReporter = {
  name: 'json',
  file: 'conformance.json',
  description: 'the full results: every check, every exchange of every failure (the input of `merge`)',
  async write(report: ConformanceReport, dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, this.file);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`, 'utf8');
    return file;
  },
};
