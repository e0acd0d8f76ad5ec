/**
 * GitHub Actions: a Markdown summary of the run (`github-summary.md` with `--report github`) that leads with the
 * findings, appended to the job's summary page whenever `GITHUB_STEP_SUMMARY` is set, and one `::error` annotation
 * per MUST finding when `GITHUB_ACTIONS=true`. Outside GitHub Actions nothing is printed and nothing is appended.
 *
 * Everything a target or a generator produced is escaped for Markdown (`markdownText`) or put in a fence longer
 * than any backtick run inside it (`codeBlock`); annotations follow the workflow-command escaping rules.
 */
import { appendFile } from 'node:fs/promises';
import type { Output as Io } from './output.js';
import { escapeHtml } from './html-escape.js';
import type { Finding } from '../findings/finding.js';
import { acceptedResults, entryName } from './baseline.js';
import { printable } from './console.js';
import type { CheckRecord, ConformanceReport } from './report.js';
import { fileReporter } from './reporter.js';
import { findingsHeadline, type Tally } from './summary.js';

/** Failures listed per check in the summary; the rest are counted. */
const SHOWN_PER_CHECK = 5;
/** GitHub refuses step summaries above 1 MiB; stay well below. */
const MAX_SUMMARY_CHARS = 512 * 1024;
/** Longest reason shown in the summary or an annotation. */
const REASON_CHARS = 300;

export const githubReporter = fileReporter(
  'github',
  'github-summary.md',
  'the GitHub Actions job summary as Markdown (appended to $GITHUB_STEP_SUMMARY in GitHub Actions anyway)',
  (report) => githubSummary(report),
);

/**
 * In GitHub Actions: appends the summary to `$GITHUB_STEP_SUMMARY` (when set) and prints the annotations on stdout
 * (when `GITHUB_ACTIONS=true`). Elsewhere it does nothing.
 */
export async function publishToGitHub(report: ConformanceReport, io: Io): Promise<void> {
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) await appendFile(summaryFile, `${githubSummary(report)}\n`, 'utf8');
  if (io.env.GITHUB_ACTIONS === 'true') for (const line of annotations(report)) io.stdout.write(`${line}\n`);
}

/** Text that Markdown shows as it is: no emphasis, links, code, HTML or table cell breaks; one line. */
export function markdownText(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(/[\\`*_{}[\]()<>#+!|~&@:]/g, (char) => `\\${char}`);
}

/**
 * A fenced code block that no backtick run inside can close. Line endings become LF first: a CR that ends the text
 * would otherwise make one CR LF with the fence's own LF, and the block would lose a line.
 */
export function codeBlock(raw: string, info = ''): string {
  const text = raw.replace(/\r\n?/g, '\n');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

export function githubSummary(report: ConformanceReport): string {
  const { summary } = report;
  const lines: string[] = [];
  const verdict = summary.verdict === 'pass' ? '✅ PASS' : '❌ FAIL';
  lines.push(`## ${verdict}: Zoom webhook conformance of ${markdownText(report.target)}`, '');
  const facts = [
    `seed **${report.seed}**`,
    `${report.config.events} events (${markdownText(report.config.systems.join(', '))})`,
    `${summary.deliveries} deliveries in ${(report.durationMs / 1000).toFixed(1)} s`,
    report.config.shard ? `shard ${markdownText(report.config.shard)}` : '',
    report.merged ? `merged from shards ${markdownText(report.merged.shards.join(', '))}` : '',
    `${markdownText(report.tool)} ${markdownText(report.version)}`,
  ].filter(Boolean);
  lines.push(facts.join(' · '), '');
  if (report.stopped) lines.push(`**Stopped early:** ${markdownText(report.stopped)}`, '');
  if (report.findings.length > 0) {
    lines.push(`### Findings: ${markdownText(findingsHeadline(report))}`, '');
    for (const finding of report.findings) lines.push(...findingLines(finding, acceptedResults(report, finding.id)));
  }
  lines.push('| suite | MUST pass | MUST fail | MUST skip | SHOULD pass | SHOULD fail | SHOULD skip |', '|---|--:|--:|--:|--:|--:|--:|');
  const cells = (tally: Tally) => `${tally.pass} | ${tally.fail} | ${tally.skip}`;
  for (const [suite, row] of Object.entries(summary.bySuite)) lines.push(`| ${markdownText(suite)} | ${cells(row.MUST)} | ${cells(row.SHOULD)} |`);
  lines.push(`| **total** | ${cells(summary.byLevel.MUST)} | ${cells(summary.byLevel.SHOULD)} |`, '');

  const failures = groupById(report.checks.filter((check) => check.status === 'fail' && !check.accepted));
  if (failures.length > 0) {
    lines.push('### Failures', '');
    for (const list of failures) {
      const first = list[0]!;
      lines.push(
        // An HTML block: Markdown escapes do not apply inside it, HTML escapes do.
        `<details><summary><b>${first.level}</b> ${escapeHtml(first.id)}: ${list.length} ${list.length === 1 ? 'failure' : 'failures'}</summary>`,
        '',
        `${markdownText(first.title)}. ${markdownText(first.rationale)}`,
        '',
      );
      for (const check of list.slice(0, SHOWN_PER_CHECK)) lines.push(`- ${markdownText(check.event ?? 'the whole endpoint')}: ${markdownText(cut(check.reason ?? '', REASON_CHARS))}`);
      if (list.length > SHOWN_PER_CHECK) lines.push(`- … and ${list.length - SHOWN_PER_CHECK} more`);
      lines.push('', 'Reproduce (the first):', '', codeBlock(first.reproduce, 'sh'), '', '</details>', '');
    }
  }
  lines.push(...baselineLines(report));
  const skipped = groupById(report.checks.filter((check) => check.status === 'skip'));
  if (skipped.length > 0) {
    lines.push('### Skipped', '');
    for (const list of skipped) lines.push(`- ${markdownText(list[0]!.id)} (${list.length}): ${markdownText(cut(list[0]!.reason ?? '', REASON_CHARS))}`);
    lines.push('');
  }
  lines.push('The HTML report (`--report html`) shows every exchange; `--report junit` feeds test-report views.', '');
  const text = lines.join('\n');
  return text.length > MAX_SUMMARY_CHARS ? `${text.slice(0, MAX_SUMMARY_CHARS)}\n\n… (cut: the summary is longer than GitHub takes)\n` : text;
}

/** With a baseline: the failures it accepts, by check, with the reason; then its stale entries. */
function baselineLines(report: ConformanceReport): string[] {
  const baseline = report.baseline;
  if (!baseline) return [];
  const lines = [`### Accepted by the baseline ${markdownText(baseline.file)}: ${baseline.accepted} ${baseline.accepted === 1 ? 'failure' : 'failures'}`, ''];
  for (const list of groupById(report.checks.filter((check) => check.status === 'fail' && check.accepted))) {
    const first = list[0]!;
    lines.push(`- **${first.level}** ${markdownText(first.id)} (${list.length}): ${markdownText(cut(first.accepted!.reason, REASON_CHARS))}`);
  }
  for (const entry of baseline.entries.filter((candidate) => candidate.status === 'stale')) {
    lines.push(`- stale: ${markdownText(entryName(entry))} accepts nothing any more: remove it (or run conformance baseline write)`);
  }
  lines.push('');
  return lines;
}

/** A finding as a details block: the line that names it, then its cause, fix, evidence and the checks it explains. */
function findingLines(finding: Finding, accepted: number): string[] {
  const { evidence } = finding;
  const parameter = evidence.parameter ? ` · ${escapeHtml(evidence.parameter.name)}: ${escapeHtml(evidence.parameter.value)}` : '';
  const note = accepted === 0 ? '' : accepted === finding.results ? ' · accepted by the baseline' : ` · ${accepted} accepted by the baseline`;
  return [
    // An HTML block: Markdown escapes do not apply inside it, HTML escapes do.
    `<details><summary><b>${finding.level}</b> ${escapeHtml(finding.id)}: ${escapeHtml(finding.title)} · ${finding.results} result${finding.results === 1 ? '' : 's'}${parameter}${note}</summary>`,
    '',
    markdownText(finding.cause),
    '',
    `**Fix:** ${markdownText(finding.fix)}`,
    '',
    ...(finding.fixExample ? [codeBlock(finding.fixExample, 'js'), ''] : []),
    `**Evidence:** ${markdownText(evidence.summary)}`,
    '',
    `**Explains:** ${finding.checks.map((check) => `${markdownText(check.id)} (${check.results})`).join(', ')}`,
    '',
    ...(evidence.example ? [`**Example:** ${markdownText(cut(evidence.example.description, REASON_CHARS))}`, '', codeBlock(evidence.example.reproduce, 'sh'), ''] : []),
    '</details>',
    '',
  ];
}

/**
 * One `::error` per MUST finding (a cause, not each check or event: GitHub shows only the first few annotations of a
 * step), but for those a baseline accepts whole. They go to the job's log, whose viewer interprets terminal escapes too: made printable after the command
 * escaping.
 */
export function annotations(report: ConformanceReport): string[] {
  return report.findings
    .filter((finding) => finding.level === 'MUST' && acceptedResults(report, finding.id) < finding.results)
    .map((finding) => {
      const title = `MUST ${finding.id}: ${finding.title} (${finding.results} failed result${finding.results === 1 ? '' : 's'})`;
      const example = finding.evidence.example;
      const message = `${cut(finding.cause, REASON_CHARS)}\nFix: ${cut(finding.fix, REASON_CHARS)}${example ? `\nReproduce: ${example.reproduce}` : ''}`;
      return printable(`::error title=${commandProperty(title)}::${commandData(message)}`);
    });
}

/** Escaping of a workflow command's message. */
export function commandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping of a workflow command's property value (`title=...`). */
export function commandProperty(text: string): string {
  return commandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function groupById(checks: CheckRecord[]): CheckRecord[][] {
  const groups = new Map<string, CheckRecord[]>();
  for (const check of checks) {
    const list = groups.get(check.id);
    if (list) list.push(check);
    else groups.set(check.id, [check]);
  }
  return [...groups.values()].sort((a, b) => (a[0]!.level === b[0]!.level ? 0 : a[0]!.level === 'MUST' ? -1 : 1));
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
