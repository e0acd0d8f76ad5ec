/** The JSON report: `conformance.json`, the report object as it is. */
import { fileReporter } from './reporter.js';

export const jsonReporter = fileReporter(
  'json',
  'conformance.json',
  'the full results: every check, every exchange of every failure (the input of `merge`)',
  (report) => `${JSON.stringify(report, null, 2)}\n`,
);
