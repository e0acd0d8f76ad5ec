/**
 * Command-line entry: argument parsing and wiring only. Every command returns an exit code:
 * 0 passed, 1 a check failed, 2 usage, configuration or unreachable target.
 */
import { Command, CommanderError, Option } from 'commander';
import { SpecError } from '../specs/catalog.js';
import { processIo, UsageError, type Io } from './io.js';
import { catalogRows, printCatalog } from './list.js';
import { packageInfo } from './package-info.js';
import { selectSpecs } from './select-specs.js';

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
      io.stderr.write(`conformance: ${error.message}\n`);
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
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  program
    .command('list')
    .description('List the events and operations of the bundled specs (or of your own spec file)')
    .addOption(new Option('--system <names>', 'comma-separated systems: meetings, video-sdk, qss, rtms, video-sdk-api (default: all)'))
    .addOption(new Option('--spec <file>', 'an OpenAPI 3.x file of your own: a "webhooks" map or event-named "paths" (JSON or YAML)'))
    .option('--json', 'print JSON instead of a table')
    .addHelpText(
      'after',
      '\nColumns: FIELDS counts every named field of the event body at any depth (for an operation: its\n' +
        'parameters plus its request body fields); REQUIRED counts those their parent requires.',
    )
    .action(async (options: { system?: string; spec?: string; json?: boolean }) => {
      const specs = await selectSpecs(options, io.cwd);
      printCatalog(catalogRows(specs), io, options.json === true);
      setExit(EXIT.ok);
    });

  program.action(() => {
    program.outputHelp({ error: true });
    setExit(EXIT.usage);
  });
  return program;
}
