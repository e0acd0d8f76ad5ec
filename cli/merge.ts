/**
 * `conformance merge DIR...`: merges the JSON reports of the shards of one run (`--shard i/n`, each DIR holding a
 * conformance.json, or the files themselves) into the report of the whole run (its findings diagnosed again from
 * all the results), writes it with any other `--report` formats to `--out`, prints the console summary and, in GitHub Actions, the job summary and annotations. Given one
 * unsharded report it renders that report again (e.g. `merge conformance-report --report html`).
 * Exit codes: 0 no MUST failure (strict: no failure), 1 a failure, 2 reports that cannot be merged.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { printable, printHeader, printResults } from '../reports/console.js';
import { REPORT_FORMATS } from '../reports/index.js';
import { jsonReporter } from '../reports/json.js';
import { mergeReports, MergeError, type ReportFile } from '../reports/merge.js';
import type { ConformanceReport } from '../reports/report.js';
import { reportProblems } from '../reports/report-schema.js';
import { UsageError, type Io } from './io.js';
import { parseFormats, writeReports } from './report-output.js';

export interface MergeOptions {
  report?: string;
  out: string;
}

export function registerMerge(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description('Merge the JSON reports of the shards of a run (--shard i/n) into one report, and render other formats from it')
    .argument('<dirs...>', 'folders holding a conformance.json (or the files themselves), one per shard')
    .addOption(new Option('--report <formats>', `formats to write besides json: ${REPORT_FORMATS.filter((format) => format !== 'json').join(', ')}`))
    .addOption(new Option('--out <dir>', 'the folder for the merged report files').default('conformance-report'))
    .addHelpText(
      'after',
      '\nThe reports must come from one run: same tool version, target, seed and options, each shard i/n exactly once.\n' +
        'Example:\n' +
        '  npx conformance --target URL --seed 42 --shard 1/3 --report json --out shard-1   # and 2/3, 3/3 elsewhere\n' +
        '  npx conformance merge shard-1 shard-2 shard-3 --report html,junit --out conformance-report',
    )
    .action(async (inputs: string[], options: MergeOptions) => {
      setExit(await mergeCommand(inputs, options, io));
    });
}

export async function mergeCommand(inputs: string[], options: MergeOptions, io: Io): Promise<number> {
  const formats = parseFormats(['json', options.report ?? ''].join(','));
  const files = await Promise.all(inputs.map((input) => reportFile(path.resolve(io.cwd, input))));
  const dir = path.resolve(io.cwd, options.out);
  if (files.length > 1 && files.some((file) => path.dirname(file) === dir)) throw new UsageError(`--out ${options.out} holds one of the shards' reports; write the merged report to another folder`);
  const reports: ReportFile[] = await Promise.all(files.map(async (file) => ({ file: path.relative(io.cwd, file) || file, report: await readReport(file, io.cwd) })));
  let merged: ConformanceReport;
  try {
    merged = mergeReports(reports);
  } catch (error) {
    if (error instanceof MergeError) throw new UsageError(`merge: ${error.message}`);
    throw error;
  }
  if (merged.merged) io.stdout.write(`merged shards ${printable(merged.merged.shards.join(', '))}\n`);
  printHeader(io, merged);
  const written = await writeReports(merged, formats, options.out, io);
  printResults(io, merged, { allFailures: false, files: written });
  return merged.summary.verdict === 'pass' ? 0 : 1;
}

/** A folder's conformance.json, or the file itself. */
async function reportFile(input: string): Promise<string> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new UsageError(`merge: ${input} does not exist`);
  return info.isDirectory() ? path.join(input, jsonReporter.file) : input;
}

async function readReport(file: string, cwd: string): Promise<ConformanceReport> {
  const name = path.relative(cwd, file) || file;
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`merge: cannot read ${name} (a folder given to merge must hold ${jsonReporter.file})`);
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`merge: ${name} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const problems = reportProblems(value);
  if (problems.length > 0) throw new UsageError(`merge: ${name} is not a conformance report of this version (${problems[0]})`);
  return value as ConformanceReport;
}
