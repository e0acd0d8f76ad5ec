/**
 * The console: a progress bar on a terminal (plain progress lines otherwise), then the findings (the causes behind
 * the failures, one line each), the failures (each with the line that reproduces it and the request as curl), the
 * skipped checks by reason, a table of suite x level x status, the figures of the run and the verdict. Every string
 * of the report (a target, a spec file or a report file could have put it there) is made printable first.
 */
import cliProgress from 'cli-progress';
import pc from 'picocolors';
import type { Output as Io } from './output.js';
import type { RunProgress } from '../suites/runner.js';
import { ALL_SUITE_IDS, type Level } from '../suites/check.js';
import { acceptedResults, entryName } from './baseline.js';
import type { CheckRecord, ConformanceReport } from './report.js';
import { findingsHeadline, type Tally } from './summary.js';

/** Failures shown in full per check before the rest is listed by event. */
const SHOWN_PER_CHECK = 3;
/** Bodies inlined in console curl commands up to this size (the JSON report has them all). */
const CONSOLE_CURL_BODY = 4096;

type Colors = ReturnType<typeof pc.createColors>;

/**
 * What must never reach a terminal raw: C0 controls but newline and tab (ESC starts escape sequences, BEL ends
 * them), DEL, C1 controls (0x9b is an 8-bit CSI), the line and paragraph separators, and the bidirectional controls
 * (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C), which reorder what a line shows.
 */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (a target, a user's file, a report file) made safe for a terminal: each character above written
 * as \xHH (or \uHHHH beyond 0xff), so nothing it says can drive the terminal or disguise a line.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 controls but leaves DEL, C1 and the bidirectional controls raw;
 * they can only stand inside strings, where \uHHHH is the same value. Machine readers get the same data.
 */
export function printableJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface ProgressDisplay {
  update(progress: RunProgress): void;
  stop(): void;
}

export function progressDisplay(io: Io, enabled: boolean): ProgressDisplay {
  if (!enabled) return { update() {}, stop() {} };
  if (io.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: io.stderr as unknown as NodeJS.WritableStream,
        format: ' {bar} {percentage}% | {phase} | {deliveries} deliveries | {failures} failed | {duration_formatted}',
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(progress) {
        const payload = { phase: progress.phase, deliveries: progress.deliveries, failures: progress.failures };
        if (!started) {
          bar.start(progress.tasksTotal, progress.tasksDone, payload);
          started = true;
        } else bar.update(progress.tasksDone, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  // Not a terminal (CI logs): one line at each tenth of the way and at each phase change.
  let lastTenth = -1;
  let lastPhase = '';
  return {
    update(progress) {
      const tenth = progress.tasksTotal === 0 ? 10 : Math.floor((progress.tasksDone / progress.tasksTotal) * 10);
      if (tenth === lastTenth && progress.phase === lastPhase) return;
      lastTenth = tenth;
      lastPhase = progress.phase;
      io.stderr.write(`progress: ${progress.tasksDone}/${progress.tasksTotal} probes, ${progress.deliveries} deliveries, ${progress.failures} failed (${progress.phase})\n`);
    },
    stop() {},
  };
}

export function colorsFor(io: Io): Colors {
  return pc.createColors(io.stdout.isTTY === true && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb');
}

export function printHeader(io: Io, report: Pick<ConformanceReport, 'tool' | 'version' | 'target' | 'seed' | 'config'>): void {
  const c = colorsFor(io);
  const config = report.config;
  io.stdout.write(
    `${c.bold(printable(`${report.tool} ${report.version}`))} → ${printable(report.target)}\n` +
      `seed ${report.seed} · ${config.events} events (${printable(config.systems.join(', '))}) · suites: ${printable(config.suites.join(', '))} · ` +
      `observer: ${config.observer ? 'yes' : 'none'}${config.shard ? ` · shard ${config.shard}` : ''}\n`,
  );
}

export interface PrintOptions {
  /** Print every failure in full, not the first few per check. */
  allFailures: boolean;
  /** Report files written. */
  files: string[];
}

export function printResults(io: Io, report: ConformanceReport, options: PrintOptions): void {
  const c = colorsFor(io);
  const out = (line = '') => io.stdout.write(`${line}\n`);
  printFindings(out, c, report);
  const failures = report.checks.filter((check) => check.status === 'fail' && !check.accepted);
  const byCheck = groupBy(failures, (check) => check.id);
  const ordered = [...byCheck.entries()].sort(([, a], [, b]) => levelRank(a[0]!.level) - levelRank(b[0]!.level));
  if (ordered.length > 0) out();
  for (const [id, list] of ordered) {
    const first = list[0]!;
    const tag = first.level === 'MUST' ? c.red(c.bold('FAIL MUST  ')) : c.yellow(c.bold('FAIL SHOULD'));
    out(`${tag} ${c.bold(printable(id))} ${c.dim(`(${list.length} ${list.length === 1 ? 'failure' : 'failures'})`)} ${printable(first.title)}`);
    const shown = options.allFailures ? list : list.slice(0, SHOWN_PER_CHECK);
    for (const check of shown) printFailure(out, c, check);
    if (shown.length < list.length) {
      const rest = list.slice(shown.length).map((check) => check.event ?? '(endpoint)');
      out(`    ${c.dim(`… and ${rest.length} more: ${printable(abbreviate(rest, 12))}`)}`);
      out(`    ${c.dim('every one of them: ')}${printable(first.reproduce.replace(/ --events \S+/, ''))}`);
    }
  }
  printAccepted(out, c, report);
  const skips = report.checks.filter((check) => check.status === 'skip');
  if (skips.length > 0) {
    out();
    const byReason = groupBy(skips, (check) => `${check.id}\u0000${check.reason ?? ''}`);
    for (const list of byReason.values()) {
      const first = list[0]!;
      out(`${c.dim('SKIP')} ${printable(first.id)} ${c.dim(`(${list.length})`)}: ${printable(first.reason ?? '')}`);
    }
  }
  out();
  for (const line of summaryTable(report, c)) out(line);
  out();
  const summary = report.summary;
  const latency = summary.latencyMs ? ` · latency p50 ${summary.latencyMs.p50} ms, p90 ${summary.latencyMs.p90} ms, p99 ${summary.latencyMs.p99} ms, max ${summary.latencyMs.max} ms` : '';
  // A REST API run sends requests, a webhook run deliveries.
  const unit = report.config.suites.every((suite) => suite === 'api-contract') ? 'requests' : 'deliveries';
  out(`${summary.deliveries} ${unit} in ${(report.durationMs / 1000).toFixed(1)} s (${summary.deliveriesPerSecond}/s)${latency}`);
  if (report.stopped) out(c.red(`stopped early: ${printable(report.stopped)}`));
  for (const file of options.files) out(`report: ${printable(file)}`);
  out(verdictLine(summary, c));
}

/** `PASS no MUST failure (...)`, `FAIL 3 MUST failures, 2 SHOULD`; with a baseline, what it accepted is told apart. */
export function verdictLine(summary: ConformanceReport['summary'], c: Colors = pc.createColors(false)): string {
  const { MUST, SHOULD } = summary.byLevel;
  const accepted = summary.accepted;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (accepted) {
    const [mustNew, shouldNew] = [MUST.fail - accepted.MUST, SHOULD.fail - accepted.SHOULD];
    const acceptedText = `${accepted.MUST} MUST and ${accepted.SHOULD} SHOULD ${accepted.MUST + accepted.SHOULD === 1 ? 'failure' : 'failures'} accepted by the baseline`;
    return summary.verdict === 'pass'
      ? c.green(c.bold('PASS')) + ` no new MUST failure${summary.strict ? ' and no new SHOULD failure' : ''} (${MUST.pass} MUST and ${SHOULD.pass} SHOULD results passed${!summary.strict && shouldNew > 0 ? `, ${shouldNew} new SHOULD failed` : ''}; ${acceptedText})`
      : c.red(c.bold('FAIL')) + ` ${plural(mustNew, 'new MUST failure')}${summary.strict ? `, ${plural(shouldNew, 'new SHOULD failure')} (strict)` : `, ${shouldNew} new SHOULD`} (${acceptedText})`;
  }
  return summary.verdict === 'pass'
    ? c.green(c.bold(`PASS`)) + ` no MUST failure${summary.strict ? ' and no SHOULD failure' : ''} (${MUST.pass} MUST and ${SHOULD.pass} SHOULD results passed${SHOULD.fail > 0 ? `, ${SHOULD.fail} SHOULD failed` : ''})`
    : c.red(c.bold('FAIL')) + ` ${MUST.fail} MUST failure${MUST.fail === 1 ? '' : 's'}${summary.strict ? `, ${SHOULD.fail} SHOULD failure${SHOULD.fail === 1 ? '' : 's'} (strict)` : `, ${SHOULD.fail} SHOULD`}`;
}

/**
 * With a baseline: the failures it accepts, one line per check and reason (they stay in every report, marked
 * accepted), then its stale entries (they accept nothing any more: the receiver improved).
 */
function printAccepted(out: (line?: string) => void, c: Colors, report: ConformanceReport): void {
  const baseline = report.baseline;
  if (!baseline) return;
  const accepted = report.checks.filter((check) => check.status === 'fail' && check.accepted);
  out();
  const entries = baseline.entries.filter((entry) => entry.status === 'accepted').length;
  out(`${c.bold('Baseline')} ${printable(baseline.file)}: ${baseline.accepted} ${baseline.accepted === 1 ? 'failure' : 'failures'} accepted by ${entries} of ${baseline.entries.length} ${baseline.entries.length === 1 ? 'entry' : 'entries'}`);
  const groups = groupBy(accepted, (check) => `${check.id}\u0000${check.accepted!.entry}`);
  for (const list of [...groups.values()].sort((a, b) => levelRank(a[0]!.level) - levelRank(b[0]!.level))) {
    const first = list[0]!;
    const events = list.map((check) => check.event ?? '(endpoint)');
    out(`  ${c.dim(`ACCEPTED ${first.level.padEnd(6)}`)} ${printable(first.id)} ${c.dim(`(${list.length}: ${printable(abbreviate(events, 4))})`)}: ${printable(first.accepted!.reason)}`);
  }
  for (const entry of baseline.entries.filter((candidate) => candidate.status === 'stale')) {
    out(`  ${c.yellow('STALE')} ${printable(entryName(entry))}: accepts nothing any more (its checks ran and passed); remove it, or run \`conformance baseline write ${printable(baseline.file)}\``);
  }
  // An entry whose checks fail under another cause: say so, or its failures look like a baseline that did not work.
  for (const entry of baseline.entries.filter((candidate) => candidate.status === 'unused' && candidate.checks)) {
    const others = [...new Set(report.checks.filter((check) => check.status === 'fail' && !check.accepted && entry.checks!.includes(check.id)).map((check) => check.finding ?? ''))].filter(Boolean);
    if (others.length === 0) continue;
    out(`  ${c.yellow('UNUSED')} ${printable(entryName(entry))}: accepted nothing; its checks failed under ${printable(others.join(', '))} (accept that, or its checks by id)`);
  }
}

/** The causes behind the failures, one line each (level, id, title, results explained, the parameter inferred). */
export function printFindings(out: (line?: string) => void, c: Colors, report: Pick<ConformanceReport, 'findings' | 'summary' | 'checks'>): void {
  const { findings } = report;
  if (findings.length === 0) return;
  out();
  out(`${c.bold('Findings')}: ${findingsHeadline(report)}`);
  const width = Math.max(...findings.map((finding) => finding.id.length));
  for (const finding of findings) {
    const level = finding.level === 'MUST' ? c.red(c.bold('MUST  ')) : c.yellow(c.bold('SHOULD'));
    const parameter = finding.evidence.parameter ? ` · ${finding.evidence.parameter.name}: ${finding.evidence.parameter.value}` : '';
    const results = `${finding.results} result${finding.results === 1 ? '' : 's'}`;
    const accepted = acceptedResults(report, finding.id);
    const note = accepted === 0 ? '' : accepted === finding.results ? ' · accepted by the baseline' : ` · ${accepted} accepted by the baseline`;
    out(`  ${level} ${c.bold(printable(finding.id.padEnd(width)))}  ${printable(finding.title)} ${c.dim(`· ${results}${printable(parameter)}${note}`)}`);
  }
  out(c.dim('  the cause, the fix and the evidence of each: the JSON and HTML reports (--report json,html)'));
}

function printFailure(out: (line?: string) => void, c: Colors, check: CheckRecord): void {
  out(`  ${c.bold(printable(check.event ?? '(endpoint)'))}: ${printable(check.reason ?? '')}`);
  out(`    reproduce: ${printable(check.reproduce)}`);
  const exchange = check.exchanges.find((candidate) => candidate.curl);
  if (exchange?.curl) {
    const bytes = exchange.request.body?.bytes ?? 0;
    if (bytes > CONSOLE_CURL_BODY) out(`    curl: ${c.dim(`the body is ${bytes} bytes; the full command is in the JSON report (--report json)`)}`);
    else out(`    curl: ${printable(exchange.curl)}`);
  }
}

export function summaryTable(report: ConformanceReport, c: Colors = pc.createColors(false)): string[] {
  const header = ['suite', 'MUST pass', 'fail', 'skip', 'SHOULD pass', 'fail', 'skip'];
  const rows: string[][] = [];
  const cells = (tally: Tally) => [String(tally.pass), String(tally.fail), String(tally.skip)];
  for (const suite of ALL_SUITE_IDS) {
    const row = report.summary.bySuite[suite];
    if (row) rows.push([suite, ...cells(row.MUST), ...cells(row.SHOULD)]);
  }
  rows.push(['total', ...cells(report.summary.byLevel.MUST), ...cells(report.summary.byLevel.SHOULD)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  const colored = (row: string[]) => {
    const text = line(row);
    const failed = Number(row[2]) > 0 ? c.red : Number(row[5]) > 0 ? c.yellow : (value: string) => value;
    return failed(text);
  };
  return [c.bold(line(header)), ...rows.slice(0, -1).map(colored), c.dim(widths.map((width) => '-'.repeat(width)).join('  ')), colored(rows[rows.length - 1]!)];
}

function levelRank(level: Level): number {
  return level === 'MUST' ? 0 : 1;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function abbreviate(items: string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, … (${items.length - max} more)`;
}
