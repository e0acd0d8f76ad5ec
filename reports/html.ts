/**
 * The HTML report: `conformance.html`, one self-contained file that works from `file://` and makes no network
 * request at all (inline style and script, pinned by hash in a Content-Security-Policy that allows nothing else).
 * The header (verdict, then the findings: the causes behind the failures, each expanding to its cause, fix, evidence
 * and results; then target, seed, duration) and the totals are written here; the matrix of events x suites, the
 * filters (by finding too), the search and the result panels are built in the page from JSON data islands
 * (html-page-script.ts).
 *
 * Strings enter the page only through html-escape.ts: `escapeHtml` for what is written here, `scriptJson` for the
 * islands (the page shows their strings with `textContent`). The details islands come after the script: the page
 * renders before the browser has read them, so their size does not delay it.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../findings/finding.js';
import { acceptedResults, entryName } from './baseline.js';
import type { Level } from '../suites/check.js';
import { escapeHtml, scriptJson } from './html-escape.js';
import { PAGE_SCRIPT } from './html-page-script.js';
import { PAGE_STYLE } from './html-page-style.js';
import type { CheckRecord, ConformanceReport, ExchangeRecord } from './report.js';
import { fileReporter } from './reporter.js';
import { findingsHeadline, type Tally } from './summary.js';

/** Results per details island: opening one result parses one island. */
const DETAILS_CHUNK = 200;

export const htmlReporter = fileReporter(
  'html',
  'conformance.html',
  'one self-contained HTML page (works offline): matrix of events x suites, filters, every failure with its exchanges',
  (report) => htmlReport(report),
);

/** What the page's script reads first: small (no exchanges), so the page renders at once. */
export interface PageData {
  suites: string[];
  systems: string[];
  /** [id, suite, level, title, rationale] of each check in the report. */
  checks: [string, string, Level, string, string][];
  /** [event, system]: event null for checks of the whole endpoint. */
  events: [string | null, string | null][];
  /** [id, level, title] of each finding, in the report's order. */
  findings: [string, Level, string][];
  /** [check index, event index, status (0 pass, 1 fail, 2 skip), reason, finding index (-1: none)]. */
  rows: [number, number, 0 | 1 | 2, string | null, number][];
  chunkSize: number;
}

/** What a result panel shows beyond its row: opened on demand. */
export interface ResultDetails {
  reproduce: string;
  exchanges: ExchangeRecord[];
}

const STATUS_CODE = { pass: 0, fail: 1, skip: 2 } as const;

export function pageData(report: ConformanceReport): PageData {
  const checkIndex = new Map<string, number>();
  const eventIndex = new Map<string, number>();
  const data: PageData = {
    suites: Object.keys(report.summary.bySuite),
    systems: report.config.systems,
    checks: [],
    events: [],
    findings: report.findings.map((finding) => [finding.id, finding.level, finding.title]),
    rows: [],
    chunkSize: DETAILS_CHUNK,
  };
  const findingIndex = new Map(report.findings.map((finding, index) => [finding.id, index]));
  for (const check of report.checks) {
    let checkAt = checkIndex.get(check.id);
    if (checkAt === undefined) {
      checkAt = data.checks.push([check.id, check.suite, check.level, check.title, check.rationale]) - 1;
      checkIndex.set(check.id, checkAt);
    }
    const eventKey = `${check.event ?? ''}\u0000${check.system ?? ''}`;
    let eventAt = eventIndex.get(eventKey);
    if (eventAt === undefined) {
      eventAt = data.events.push([check.event, check.system]) - 1;
      eventIndex.set(eventKey, eventAt);
    }
    // A failure a baseline accepts says so first, wherever its reason is shown.
    const reason = check.accepted ? `accepted by the baseline (${check.accepted.reason}): ${check.reason ?? ''}` : check.reason;
    data.rows.push([checkAt, eventAt, STATUS_CODE[check.status], reason, check.finding === undefined ? -1 : (findingIndex.get(check.finding) ?? -1)]);
  }
  return data;
}

function detailsIslands(checks: readonly CheckRecord[]): string {
  const islands: string[] = [];
  for (let from = 0, chunk = 0; from < checks.length; from += DETAILS_CHUNK, chunk++) {
    // The exchanges as the panels show them (their traits are for the diagnosis, which the page has in its findings).
    const details: ResultDetails[] = checks
      .slice(from, from + DETAILS_CHUNK)
      .map((check) => ({ reproduce: check.reproduce, exchanges: check.exchanges.map(({ traits: _traits, ...shown }) => shown) }));
    islands.push(`<script type="application/json" id="conformance-details-${chunk}">${scriptJson(details)}</script>`);
  }
  return islands.join('\n');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Nothing but the page's own style and script: no request of any kind, no form, no base, no frame. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(PAGE_SCRIPT)}`,
  `style-src ${sha256(PAGE_STYLE)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function htmlReport(report: ConformanceReport): string {
  const { summary } = report;
  const verdict = summary.verdict === 'pass' ? 'PASS' : 'FAIL';
  const title = `${verdict} · Zoom webhook conformance · ${report.target}`;
  const latency = summary.latencyMs ? `p50 ${summary.latencyMs.p50} ms · p90 ${summary.latencyMs.p90} ms · p99 ${summary.latencyMs.p99} ms · max ${summary.latencyMs.max} ms` : null;
  const facts: [string, string | null][] = [
    ['Target', report.target],
    ['Seed', String(report.seed)],
    ['Started', report.startedAt],
    ['Duration', `${(report.durationMs / 1000).toFixed(1)} s · ${summary.deliveries} deliveries (${summary.deliveriesPerSecond}/s)`],
    ['Latency', latency],
    ['Events', `${report.config.events} (${report.config.systems.join(', ')})`],
    ['Settings', `${report.config.examples} examples per event · deadline ${report.config.deadlineMs} ms · concurrency ${report.config.concurrency} · burst ${report.config.burst} · observer ${report.config.observer ? 'yes' : 'no'}${report.config.strict ? ' · strict' : ''}`],
    ['Shard', report.config.shard ?? null],
    ['Merged from', report.merged ? `shards ${report.merged.shards.join(', ')}` : null],
    ['Tool', `${report.tool} ${report.version} (report version ${report.reportVersion})`],
  ];
  const factList = facts
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<header>
<h1><span class="verdict ${summary.verdict}">${verdict}</span> Zoom webhook conformance</h1>
<p class="headline">${headline(report)}</p>
${findingsSection(report)}
${baselineSection(report)}
<dl class="facts">${factList}</dl>
${report.stopped ? `<p class="stopped">Stopped early: ${escapeHtml(report.stopped)}</p>` : ''}
</header>
<h2>Totals</h2>
<div class="totals">${totalsTable(report)}</div>
<noscript><p class="note">The matrix, the filters and the failure details need JavaScript; conformance.json holds everything.</p></noscript>
<div class="filters" role="search">
<label>Suite<select id="f-suite"><option value="">all suites</option></select></label>
<label>Level<select id="f-level"><option value="">all levels</option></select></label>
<label>Status<select id="f-status"><option value="">all statuses</option></select></label>
<label>System<select id="f-system"><option value="">all systems</option></select></label>
<label>Finding<select id="f-finding"><option value="">all findings</option></select></label>
<label>Search<input id="f-search" type="search" placeholder="check, event, reason…" autocomplete="off"></label>
<button id="f-reset" type="button">Reset</button>
<span id="f-count" class="count"></span>
</div>
<h2>Events × suites</h2>
<p class="note">Each cell: the checks of that suite on that event (✗ failed, ✓ all passed, – skipped). Select a cell to list its results.</p>
<div id="matrix" class="matrix-wrap"></div>
<h2 id="results-title">Results</h2>
<p class="note">Failures first. Open a result for the request (the secret and credentials redacted), the response, what was expected, and the commands that reproduce it.</p>
<div id="results"></div>
</main>
<script type="application/json" id="conformance-data">${scriptJson(pageData(report))}</script>
<script>${PAGE_SCRIPT}</script>
${detailsIslands(report.checks)}
</body>
</html>
`;
}

/** Results listed by event in a finding before the rest is counted. */
const EVENTS_SHOWN = 24;

/**
 * The findings, at the top: one line each (level, id, title, results, the parameter inferred), expanding to the
 * cause, the fix, the evidence and the results it explains, with a button that filters the results below to them.
 */
function findingsSection(report: ConformanceReport): string {
  if (report.findings.length === 0) return '';
  const items = report.findings.map((finding, index) => findingItem(report, finding, index)).join('\n');
  return `<section id="findings" class="findings" aria-labelledby="findings-title">
<h2 id="findings-title">Findings <small>${escapeHtml(findingsHeadline(report))}</small></h2>
${items}
</section>`;
}

function findingItem(report: ConformanceReport, finding: Finding, index: number): string {
  const { evidence } = finding;
  const results = `${finding.results} result${finding.results === 1 ? '' : 's'}`;
  const parameter = evidence.parameter ? `<span class="parameter">${escapeHtml(`${evidence.parameter.name}: ${evidence.parameter.value}`)}</span>` : '';
  const explained = finding.checks
    .map((check) => {
      const events = report.checks.filter((record) => record.id === check.id && record.finding === finding.id).map((record) => record.event ?? '(whole endpoint)');
      const shown = events.slice(0, EVENTS_SHOWN).join(', ') + (events.length > EVENTS_SHOWN ? `, … and ${events.length - EVENTS_SHOWN} more` : '');
      return `<li><span class="mono">${escapeHtml(check.id)}</span>: ${check.results} result${check.results === 1 ? '' : 's'} <span class="events">(${escapeHtml(shown)})</span></li>`;
    })
    .join('');
  const example = evidence.example
    ? `<h4>Example</h4><p>${escapeHtml(`${evidence.example.check} on ${evidence.example.event ?? 'the whole endpoint'}: ${evidence.example.description}`)}</p><pre class="cmd">${escapeHtml(evidence.example.reproduce)}</pre>`
    : '';
  return `<details class="finding ${finding.level}${finding.id.startsWith('unexplained:') ? ' unexplained' : ''}">
<summary><span class="badge ${finding.level}">${finding.level}</span> <span class="mono id">${escapeHtml(finding.id)}</span> <span class="title">${escapeHtml(finding.title)}</span> <span class="count">${results}</span>${parameter}${acceptedNote(report, finding)}</summary>
<div class="finding-body">
<p class="cause">${escapeHtml(finding.cause)}</p>
<h4>Fix</h4><p>${escapeHtml(finding.fix)}</p>${finding.fixExample ? `<pre class="cmd">${escapeHtml(finding.fixExample)}</pre>` : ''}
<h4>Evidence</h4><p>${escapeHtml(evidence.summary)}</p>${evidence.parameter ? `<p><b>${escapeHtml(evidence.parameter.name)}</b>: ${escapeHtml(evidence.parameter.value)}</p>` : ''}
${example}
<h4>Results it explains</h4><ul class="explained">${explained}</ul>
<button type="button" class="show-finding" data-finding="${index}">Show its ${results} below</button>
</div>
</details>`;
}

/** With a baseline: how many of the finding's results it accepts. */
function acceptedNote(report: ConformanceReport, finding: Finding): string {
  const accepted = acceptedResults(report, finding.id);
  if (accepted === 0) return '';
  return `<span class="count">${accepted === finding.results ? 'accepted by the baseline' : `${accepted} accepted by the baseline`}</span>`;
}

/** With a baseline: its file, what it accepted, and each entry with its status and reason. */
function baselineSection(report: ConformanceReport): string {
  const baseline = report.baseline;
  if (!baseline) return '';
  const items = baseline.entries
    .map((entry) => `<li><b>${escapeHtml(entry.status)}</b> <span class="mono">${escapeHtml(entryName(entry))}</span>: ${entry.results} result${entry.results === 1 ? '' : 's'} · ${escapeHtml(entry.reason)}</li>`)
    .join('');
  return `<section id="baseline" aria-labelledby="baseline-title">
<h2 id="baseline-title">Baseline <small>${escapeHtml(baseline.file)}: ${baseline.accepted} failure${baseline.accepted === 1 ? '' : 's'} accepted${baseline.stale > 0 ? `, ${baseline.stale} stale entr${baseline.stale === 1 ? 'y' : 'ies'} (they accept nothing any more: remove them)` : ''}</small></h2>
<ul class="explained">${items}</ul>
</section>`;
}

/** The verdict in words: what failed at which level, what was skipped, what passed. */
function headline(report: ConformanceReport): string {
  const { MUST, SHOULD } = report.summary.byLevel;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const accepted = report.summary.accepted;
  if (accepted) {
    return [
      `<b${MUST.fail - accepted.MUST > 0 ? ' class="n-fail"' : ''}>${plural(MUST.fail - accepted.MUST, 'new MUST failure')}</b>`,
      plural(SHOULD.fail - accepted.SHOULD, 'new SHOULD failure'),
      `${accepted.MUST + accepted.SHOULD} accepted by the baseline`,
      `${MUST.skip + SHOULD.skip} skipped`,
      `${MUST.pass + SHOULD.pass} passed`,
      report.summary.strict ? 'strict: any failure the baseline does not accept fails the run' : 'the run fails on MUST failures the baseline does not accept',
    ].join(' · ');
  }
  return [
    `<b${MUST.fail > 0 ? ' class="n-fail"' : ''}>${plural(MUST.fail, 'MUST failure')}</b>`,
    plural(SHOULD.fail, 'SHOULD failure'),
    `${MUST.skip + SHOULD.skip} skipped`,
    `${MUST.pass + SHOULD.pass} passed`,
    report.summary.strict ? 'strict: any failure fails the run' : 'the run fails on MUST failures',
  ].join(' · ');
}

function totalsTable(report: ConformanceReport): string {
  const cells = (tally: Tally) =>
    `<td>${tally.pass}</td><td${tally.fail > 0 ? ' class="n-fail"' : ''}>${tally.fail}</td><td>${tally.skip}</td>`;
  const rows = Object.entries(report.summary.bySuite).map(([suite, row]) => `<tr><td>${escapeHtml(suite)}</td>${cells(row.MUST)}${cells(row.SHOULD)}</tr>`);
  const { MUST, SHOULD } = report.summary.byLevel;
  return `<table class="tally">
<thead><tr><th rowspan="2">suite</th><th colspan="3">MUST</th><th colspan="3">SHOULD</th></tr><tr><th>pass</th><th>fail</th><th>skip</th><th>pass</th><th>fail</th><th>skip</th></tr></thead>
<tbody>${rows.join('')}<tr class="total"><td>total</td>${cells(MUST)}${cells(SHOULD)}</tr></tbody>
</table>`;
}
