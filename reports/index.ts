/** The report formats, by the name `--report` takes. The list of formats is derived from this map. */
import { githubReporter } from './github.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import type { ConformanceReport } from './report.js';

export interface Reporter {
  name: string;
  /** The file it writes in the report folder. */
  file: string;
  description: string;
  write(report: ConformanceReport, dir: string): Promise<string>;
}

export const REPORTERS: Record<string, Reporter> = {
  json: jsonReporter,
  junit: junitReporter,
  html: htmlReporter,
  github: githubReporter,
};

export const REPORT_FORMATS = Object.keys(REPORTERS);
