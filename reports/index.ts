/** The report formats, by the name `--report` takes. The list of formats is derived from this map. */
import { githubReporter } from './github.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import type { Reporter } from './reporter.js';

export type { Reporter } from './reporter.js';

export const REPORTERS: Record<string, Reporter> = {
  json: jsonReporter,
  junit: junitReporter,
  html: htmlReporter,
  github: githubReporter,
};

export const REPORT_FORMATS = Object.keys(REPORTERS);
