/**
 * `conformance validate FILE...`: checks captured deliveries (logs, a tunnel's dump) against the bundled specs or
 * `--spec` files: known event, schema violations with JSON pointers, undocumented fields (drift), missing required
 * fields, and with a secret and headers the signature over the raw bytes and the timestamp's age.
 * Exit codes: 0 every delivery validates, 1 one does not, 2 unreadable input or usage.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { CaptureError, eachCapture, type CapturedDelivery } from '../engine/capture-file.js';
import { printable } from '../reports/console.js';
import { buildValidationReport, printValidationReport, writeValidationReport } from '../reports/validation-report.js';
import { WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { DeliveryValidator, ValidationTally } from '../suites/delivery-validation.js';
import { UsageError, type Io } from './io.js';
import { packageInfo } from '../job/package-info.js';
import { selectSpecs, splitList, type SpecSelection } from '../job/select-specs.js';
import { specOption, specStrictOption } from './spec-options.js';

export interface ValidateOptions extends SpecSelection {
  secret?: string;
  report?: string;
  out: string;
  allFailures?: boolean;
  strict?: boolean;
}

export function registerValidate(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('Check captured deliveries against the specs: event known, body valid, undocumented fields, signature')
    .argument('<files...>', 'capture files (JSON, NDJSON, {"headers","body"} records, raw HTTP request dumps); - reads stdin')
    .addOption(new Option('--system <names>', `comma-separated bundled specs: ${WEBHOOK_SYSTEMS.join(', ')} (default: all four)`))
    .addOption(specOption('check against your own OpenAPI file instead of the bundled specs'))
    .addOption(specStrictOption())
    .addOption(new Option('--secret <token>', "your app's Secret Token, to verify signatures (better: ZOOM_WEBHOOK_SECRET_TOKEN; never printed)"))
    .addOption(new Option('--report <formats>', 'report files to write: json (validation.json)'))
    .addOption(new Option('--out <dir>', 'the folder for report files').default('conformance-report'))
    .addOption(new Option('--strict', 'undocumented fields (drift) fail a delivery too (default: reported, not failed)'))
    .addOption(new Option('--all-failures', 'print every problem (default: the first 3 deliveries per event)'))
    .addHelpText(
      'after',
      '\nInput, any mix of files:\n' +
        '  a JSON file holding one delivery body, or a JSON array of bodies or records\n' +
        '  NDJSON: one body or one record per line (the output of `conformance generate` is such a file)\n' +
        '  records: {"headers": {"x-zm-signature": "v0=...", "x-zm-request-timestamp": "..."}, "body": "<raw body text>",\n' +
        '           "receivedAt": "2026-03-14T10:15:00Z"}  ("bodyBase64" instead of "body" for bytes that are not UTF-8)\n' +
        '  raw HTTP request dumps: "POST /path HTTP/1.1", headers, a blank line, the body; several may follow each other\n\n' +
        'Per delivery: is the event known; does the body validate (every violation with its JSON pointer; integers\n' +
        'beyond 2^53 exactly); which fields are undocumented (drift) and which required ones missing; with --secret and\n' +
        'headers, does the signature verify over the raw bytes, and how old was the timestamp (at receivedAt, or now).\n\n' +
        'Examples:\n' +
        '  npx conformance validate captured.ndjson\n' +
        '  npx conformance validate dump.http --secret "$ZOOM_SECRET" --report json\n' +
        '  npx conformance generate meeting.started --count 100 | npx conformance validate -\n\n' +
        'Exit codes: 0 every delivery validates, 1 one does not (invalid, unknown event, not JSON, bad or missing\n' +
        'signature with --secret; with --strict, undocumented fields), 2 unreadable input or usage.',
    )
    .action(async (files: string[], options: ValidateOptions) => setExit(await validateCommand(files, options, io)));
}

export async function validateCommand(files: string[], options: ValidateOptions, io: Io): Promise<number> {
  if (options.system !== undefined && options.spec !== undefined) throw new UsageError('give --system or --spec, not both');
  const formats = [...new Set(splitList(options.report ?? ''))];
  const unknownFormat = formats.find((format) => format !== 'json');
  if (unknownFormat !== undefined) throw new UsageError(`--report: validate writes json only, not "${unknownFormat}"`);
  const specs = await selectSpecs(options, io, WEBHOOK_SYSTEMS);
  const events = specs.flatMap((spec) => spec.events);
  if (events.length === 0) throw new UsageError(`${specs.map((spec) => spec.system).join(', ')} describes no webhook events to validate against`);
  const secret = options.secret ?? io.env.ZOOM_WEBHOOK_SECRET_TOKEN;
  if (secret !== undefined && secret === '') throw new UsageError('--secret (or ZOOM_WEBHOOK_SECRET_TOKEN) is empty');

  // Deliveries are judged as they are read; nothing is printed before the end, so unreadable input anywhere
  // still stops the command with one line and exit 2.
  const startedAt = new Date();
  const started = performance.now();
  const validator = new DeliveryValidator(events, { ...(secret !== undefined ? { secret } : {}), now: startedAt.getTime(), strict: options.strict === true });
  const tally = new ValidationTally();
  for (const file of files) for (const capture of readCaptureFile(file, io)) tally.add(validator.validate(capture));
  if (tally.total === 0) throw new UsageError('no delivery in the input');
  const durationMs = performance.now() - started;

  const { name: tool, version } = packageInfo();
  const systems = specs.map((spec) => spec.system);
  const report = buildValidationReport({ tool, version, startedAt, durationMs, systems, files, secret: secret !== undefined, strict: options.strict === true, tally });
  io.stdout.write(
    `${tool} ${version} validate: ${tally.total} ${tally.total === 1 ? 'delivery' : 'deliveries'} from ${files.length} ${files.length === 1 ? 'file' : 'files'} ` +
      `against ${systems.join(', ')} · signatures: ${secret !== undefined ? 'verified with the secret' : 'not verified (no --secret)'}\n\n`,
  );
  const written: string[] = [];
  if (formats.includes('json')) written.push(path.relative(io.cwd, await writeValidationReport(report, path.resolve(io.cwd, options.out))) || '.');
  printValidationReport(io, report, tally, { all: options.allFailures === true, files: written });
  return report.verdict === 'pass' ? 0 : 1;
}

function* readCaptureFile(file: string, io: Io): Generator<CapturedDelivery> {
  let bytes: Buffer;
  try {
    bytes = file === '-' ? readFileSync(0) : readFileSync(path.resolve(io.cwd, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (error as Error).message})`}`);
  }
  try {
    yield* eachCapture(file === '-' ? 'stdin' : file, bytes);
  } catch (error) {
    if (error instanceof CaptureError) throw new UsageError(printable(error.message));
    throw error;
  }
}
