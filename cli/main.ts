/**
 * Command-line entry: argument parsing and wiring only. Every command returns an exit code:
 * 0 passed, 1 a check failed, 2 usage, configuration or unreachable target.
 */
import { Command, CommanderError, Option } from 'commander';
import { printable } from '../reports/console.js';
import { SpecError } from '../specs/catalog.js';
import { processIo, UsageError, type Io } from './io.js';
import { MODES, type Mode } from '../generators/deliveries.js';
import { generateCommand } from './generate.js';
import { catalogRows, printCatalog } from './list.js';
import { freshSeed, positiveInteger, seedValue } from './options.js';
import { packageInfo } from '../job/package-info.js';
import { selectSpecs, type SpecSelection } from '../job/select-specs.js';
import { specOption, specStrictOption } from './spec-options.js';
import { addRunOptions, mainJob, type RunFlags } from './run.js';
import { registerBaseline } from './baseline.js';
import { registerMockApi } from './mock-api.js';
import { registerApi } from './api.js';
import { printChecks } from './checks.js';
import { demoCommand, type DemoOptions } from './demo.js';
import { registerMerge } from './merge.js';
import { registerFuzz } from './fuzz.js';
import { registerReplay } from './replay.js';
import { registerSend } from './send.js';
import { registerValidate } from './validate.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its one-line message for anything else.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof SpecError) {
      // Messages quote user input and file contents: escaped before they reach the terminal.
      io.stderr.write(`conformance: ${printable(error.message)}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  return exitCode;
}

function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('conformance')
    .description(
      'Contract-testing conformance suite for Zoom webhook receivers. Specs derived from Zoom\'s published ' +
        'documents describe every event; the suites sign deliveries the way Zoom does, send them to your receiver ' +
        'and check that it answers as Zoom expects.',
    )
    .version(packageInfo().version, '-V, --version')
    .exitOverride()
    // Options after a command name belong to that command (the root has options of the same names).
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line per usage error, with the way to more help on the same line.
      outputError: (text, write) => write(`${printable(text.trimEnd())} (see --help)\n`),
    });

  program
    .command('list')
    .description('List the events and operations of the bundled specs (or of your own spec file)')
    .addOption(new Option('--system <names>', 'comma-separated systems: meetings, video-sdk, qss, rtms, video-sdk-api (default: all)'))
    .addOption(specOption('an OpenAPI 3.x file of your own: a "webhooks" map or event-named "paths" (JSON or YAML)'))
    .addOption(specStrictOption())
    .option('--json', 'print JSON instead of a table')
    .addHelpText(
      'after',
      '\nColumns: FIELDS counts every named field of the event body at any depth (for an operation: its\n' +
        'parameters plus its request body fields); REQUIRED counts those their parent requires.',
    )
    .action(async (options: SpecSelection & { json?: boolean }) => {
      const specs = await selectSpecs(options, io);
      printCatalog(catalogRows(specs), io, options.json === true);
      setExit(EXIT.ok);
    });

  program
    .command('generate')
    .description('Generate deliveries of one event as NDJSON: the exact raw body of each, the mode and its edges')
    .argument('<event>', 'the event name, e.g. meeting.started (see: conformance list)')
    .addOption(new Option('--system <name>', 'the bundled spec to look in: meetings, video-sdk, qss, rtms (default: all four)'))
    .addOption(specOption('look in your own OpenAPI file instead'))
    .addOption(specStrictOption())
    .addOption(new Option('--mode <mode>', 'valid: what Zoom sends; edge: schema-valid but hostile; invalid: breaks the schema or JSON').choices(MODES).default('valid'))
    .addOption(new Option('--count <n>', 'how many deliveries').argParser(positiveInteger('--count', 100_000)).default(1))
    .addOption(new Option('--seed <seed>', 'the run seed (default: random, printed on stderr); the same seed gives the same bytes').argParser(seedValue))
    .addHelpText(
      'after',
      '\nEach line: {"event", "system", "mode", "body": "<exact raw body>", "edges": [{"kind", "path", "zoom"}]}.\n' +
        'A body that is deliberately not UTF-8 (invalid mode) has "body": null and "bodyBase64" instead.\n' +
        '"zoom": true marks an edge Zoom itself can send; false marks hostile-but-valid input.',
    )
    .action(async (event: string, options: SpecSelection & { mode: Mode; count: number; seed?: number }) => {
      setExit(await generateCommand(event, { ...options, seed: options.seed ?? freshSeed() }, io));
    });

  registerMockApi(program, io, setExit);
  registerApi(program, io, setExit);

  program
    .command('checks')
    .description('List every check: id, suite, level (MUST or SHOULD), title and why it matters')
    .option('--json', 'print JSON instead of text')
    .action((options: { json?: boolean }) => {
      printChecks(io, options.json === true);
      setExit(EXIT.ok);
    });

  registerFuzz(program, io, setExit);
  registerReplay(program, io, setExit);
  registerSend(program, io, setExit);
  registerValidate(program, io, setExit);

  registerMerge(program, io, setExit);
  registerBaseline(program, io, setExit);

  addRunOptions(
    program
      .command('demo')
      .description('Run the suites against the bundled reference receiver (started on a free loopback port, then stopped)')
      .addOption(new Option('--defect <names>', 'use a reference receiver with a planted defect instead, or several comma-separated (see: node dist/examples/receivers/faulty.js --list)')),
    'demo',
  ).action(async (options: DemoOptions) => {
    setExit(await demoCommand(options, io));
  });

  addRunOptions(program)
    .usage('--target URL [options]   (or: conformance <command> --help)')
    .addHelpText(
      'after',
      '\nThe main job: sign deliveries of every selected event the way Zoom does, send them to --target and check\n' +
        'the answers (suites: url-validation, acknowledgement, signature, idempotency, robustness).\n\n' +
        'Examples:\n' +
        '  ZOOM_WEBHOOK_SECRET_TOKEN=... npx conformance --target http://localhost:3000/zoom/webhook\n' +
        '  npx conformance --target URL --system meetings --events "meeting.*" --report json\n' +
        '  npx conformance --target URL --observe http://localhost:3000/zoom/observe --strict\n' +
        '  npx conformance demo            # a full run against the bundled reference receiver\n' +
        '  npx conformance --baseline conformance-baseline.json   # fail only on failures it does not accept\n\n' +
        'Options may also come from conformance.config.json (.mjs, .ts) or the "conformance" key of package.json,\n' +
        'found from the working folder upward (--config FILE names one; --no-config reads none): the same options\n' +
        'in camelCase (retryAfter, suites, systems). Flags given here override them.\n\n' +
        'Ctrl-C or SIGTERM (or the exit of the process that started it) stops it gracefully: nothing more is sent, the\n' +
        'reports of what ran are written (marked "stopped by signal"; checks not reached are skipped), exit 130 (SIGINT)\n' +
        'or 143 (SIGTERM). A second signal exits at once.\n\n' +
        'Exit codes: 0 no MUST failure (--strict: no failure; with --baseline: none it does not accept), 1 a check\n' +
        'failed, 2 usage, configuration or unreachable target, 70 an internal error of conformance.',
    )
    .action(async (flags: RunFlags, command: Command) => {
      setExit(await mainJob(flags, command, io, () => program.outputHelp({ error: true })));
    });
  return program;
}
