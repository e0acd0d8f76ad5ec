/** What a report format is: a name for `--report`, the file it writes in the report folder, and how it renders. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConformanceReport } from './report.js';

export interface Reporter {
  name: string;
  /** The file it writes in the report folder. */
  file: string;
  description: string;
  write(report: ConformanceReport, dir: string): Promise<string>;
}

/** A format that renders the report as one text file; `write` creates the folder and returns the file's path. */
export function fileReporter(name: string, file: string, description: string, render: (report: ConformanceReport) => string): Reporter {
  return {
    name,
    file,
    description,
    async write(report, dir) {
      await mkdir(dir, { recursive: true });
      const target = path.join(dir, file);
      await writeFile(target, render(report), 'utf8');
      return target;
    },
  };
}
