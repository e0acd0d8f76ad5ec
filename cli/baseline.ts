/**
 * `conformance baseline write FILE [options of the main job]`: runs the main job (with FILE as its baseline when it
 * exists, so the reasons written there are kept) and writes FILE accepting every failure of the run: the entries
 * that still accept something (or whose checks did not run), and one entry per finding with failures they do not
 * accept. Stale entries are dropped, so the file shrinks as the receiver improves. Nothing is written when the run
 * did not complete (stopped, target gone, internal error). Exit code 0 once written.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { baselineFromReport, writeBaseline } from '../job/baseline.js';
import { entryName } from '../reports/baseline.js';
import { printable } from '../reports/console.js';
import { UsageError, type Io } from './io.js';
import { addRunOptions, configured, runCommand, type RunFlags } from './run.js';

export function registerBaseline(program: Command, io: Io, setExit: (code: number) => void): void {
  const baseline = program.command('baseline').description('Accept the failures of today, fail on new ones: write a baseline file (see --baseline)');
  addRunOptions(
    baseline
      .command('write')
      .description('Run the main job and write FILE accepting its failures (the reasons of entries already in FILE are kept)')
      .argument('<file>', 'the baseline file to write, e.g. conformance-baseline.json')
      .addOption(new Option('--reason <text>', 'the reason of new entries (default: the date and the finding\'s title)')),
  )
    .addHelpText(
      'after',
      '\nThen run with --baseline FILE: accepted failures are reported as such and do not fail the run; entries that\n' +
        'accept nothing any more are reported stale (run baseline write again to drop them). Edit the reasons.',
    )
    .action(async (file: string, flags: RunFlags & { reason?: string }, command: Command) => {
      setExit(await writeCommand(file, flags, command, io));
    });
}

async function writeCommand(file: string, flags: RunFlags & { reason?: string }, command: Command, io: Io): Promise<number> {
  const { reason, ...runFlags } = flags;
  if (runFlags.baseline !== undefined) throw new UsageError('baseline write FILE reads FILE as its baseline: give no --baseline');
  if (runFlags.shard !== undefined) throw new UsageError('baseline write needs the whole run: give no --shard');
  if (reason !== undefined && !reason.trim()) throw new UsageError('--reason needs a text');
  const { options, wiring } = await configured(runFlags, command, io);
  if (options.target === undefined) throw new UsageError('--target URL is required (or target in a configuration file)');
  if (options.shard !== undefined) throw new UsageError(`baseline write needs the whole run: the configuration sets shard ${options.shard}`);
  const target = path.resolve(io.cwd, file);
  const shown = path.relative(io.cwd, target) || file;
  // The file as it is, if any, is the run's baseline: its entries are kept (with their reasons) where they still hold.
  const { baseline: _configured, ...rest } = options;
  const withBaseline = existsSync(target) ? { ...rest, baseline: target } : rest;
  return runCommand(withBaseline, io, wiring, async (outcome) => {
    if (outcome.stopped) {
      io.stderr.write(`conformance: ${shown} not written: the run did not complete\n`);
      return 2;
    }
    const entries = baselineFromReport(outcome.report, reason?.trim());
    await writeBaseline(target, entries);
    const previous = outcome.report.baseline?.entries ?? [];
    const dropped = previous.filter((entry) => entry.status === 'stale');
    io.stdout.write(`baseline: wrote ${printable(shown)}: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`);
    io.stdout.write(`${previous.length > 0 ? ` (${previous.length - dropped.length} kept, ${entries.length - (previous.length - dropped.length)} new, ${dropped.length} stale dropped)` : ''}\n`);
    for (const entry of dropped) io.stdout.write(`  dropped stale ${printable(entryName(entry))}\n`);
    return 0;
  });
}
