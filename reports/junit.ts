/**
 * The JUnit XML report: `conformance.junit.xml`, for CI systems that show test results (Jenkins, GitLab, GitHub
 * test-report actions, Azure). One testsuite per suite, one testcase per check and event (classname: the check id;
 * name: the check id and the event), a failure with a one-line message and the reproduce line, a skip with its
 * reason, and the run's seed, target and versions as properties. Then a `findings` testsuite with one failed
 * testcase per finding (classname `findings`, name: the finding's id), so CI dashboards count causes too. With a
 * baseline, the failures it accepts (and the findings all of whose results it accepts) are skipped testcases whose
 * message says so and why, with the failure's text: a dashboard counts as failures only what fails the run.
 *
 * xmlbuilder2 writes the XML and escapes `<`, `>` and quotes. It leaves an `&` that starts an entity reference as it
 * is (`&amp;` stays `&amp;`, `&bogus;` would break the file), so every string goes through `xmlString` first, which
 * writes each `&` as `&amp;`. Characters XML 1.0 cannot hold at all (control characters, lone surrogates,
 * U+FFFE/U+FFFF) are written as visible `\uXXXX` escapes.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { Finding } from '../findings/finding.js';
import { acceptedResults } from './baseline.js';
import type { CheckRecord, ConformanceReport, ExchangeRecord } from './report.js';
import { fileReporter } from './reporter.js';

/** Longest `message` attribute (a CI list shows it on one line); the full text is the element's content. */
const MESSAGE_CHARS = 500;
/** Longest response body excerpt in a failure's text. */
const BODY_EXCERPT_CHARS = 2048;

export const junitReporter = fileReporter(
  'junit',
  'conformance.junit.xml',
  'JUnit XML for CI test-report views: one testsuite per suite, one testcase per check and event',
  (report) => junitXml(report),
);

/** A character XML 1.0 forbids, as the visible escape written instead of it. */
export function visibleEscape(char: string): string {
  let escaped = '';
  for (let at = 0; at < char.length; at++) escaped += `\\u${char.charCodeAt(at).toString(16).padStart(4, '0')}`;
  return escaped;
}

/** A string for xmlbuilder2: every `&` already escaped, so that the reader gets back exactly the text. */
function xmlString(text: string): string {
  return text.replace(/&/g, '&amp;');
}

export function junitXml(report: ConformanceReport): string {
  const root = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: (char: string) => visibleEscape(char) });
  const total = report.summary.total;
  // Every finding is a failed testcase of the `findings` suite, counted with the rest (skipped when the baseline accepts all it explains).
  const findings = report.findings.length;
  const acceptedFindings = report.findings.filter((finding) => findingAccepted(report, finding)).length;
  const accepted = report.checks.filter(isAccepted).length;
  const suites = root.ele('testsuites', {
    name: xmlString(`${report.tool} ${report.target}`),
    tests: String(total.pass + total.fail + total.skip + findings),
    failures: String(total.fail - accepted + findings - acceptedFindings),
    errors: '0',
    skipped: String(total.skip + accepted + acceptedFindings),
    time: seconds(report.durationMs),
    timestamp: report.startedAt,
  });
  const bySuite = new Map<string, CheckRecord[]>();
  for (const check of report.checks) {
    const list = bySuite.get(check.suite);
    if (list) list.push(check);
    else bySuite.set(check.suite, [check]);
  }
  // The suites in the order of the totals (run order).
  for (const suite of Object.keys(report.summary.bySuite)) {
    const checks = bySuite.get(suite);
    if (!checks) continue;
    const failures = checks.filter((check) => check.status === 'fail' && !isAccepted(check)).length;
    const element = suites.ele('testsuite', {
      name: suite,
      tests: String(checks.length),
      failures: String(failures),
      errors: '0',
      skipped: String(checks.length - failures - checks.filter((check) => check.status === 'pass').length),
      time: seconds(checks.reduce((sum, check) => sum + checkMs(check), 0)),
      timestamp: report.startedAt,
    });
    addProperties(element, report);
    for (const check of checks) addTestcase(element, check);
  }
  if (findings > 0) {
    const element = suites.ele('testsuite', {
      name: 'findings',
      tests: String(findings),
      failures: String(findings - acceptedFindings),
      errors: '0',
      skipped: String(acceptedFindings),
      time: '0.000',
      timestamp: report.startedAt,
    });
    addProperties(element, report);
    for (const finding of report.findings) addFinding(element, finding, findingAccepted(report, finding));
  }
  return suites.end({ prettyPrint: true });
}

/** One finding: a failed testcase whose text is the cause, the fix and the evidence. */
function addFinding(suite: XMLBuilder, finding: Finding, accepted: boolean): void {
  const results = `${finding.results} failed result${finding.results === 1 ? '' : 's'}`;
  const testcase = suite.ele('testcase', { name: xmlString(finding.id), classname: 'findings', time: '0.000' });
  const { evidence } = finding;
  const lines = [
    `${finding.level} ${finding.id}: ${finding.title}`,
    `explains: ${results} (${finding.checks.map((check) => `${check.id} ${check.results}`).join(', ')})`,
    `cause: ${finding.cause}`,
    `fix: ${finding.fix}`,
    ...(finding.fixExample ? ['', finding.fixExample, ''] : []),
    `evidence: ${evidence.summary}`,
    ...(evidence.parameter ? [`${evidence.parameter.name}: ${evidence.parameter.value}`] : []),
    ...(evidence.example ? [`example: ${evidence.example.description}`, `reproduce: ${evidence.example.reproduce}`] : []),
  ];
  const message = `${finding.level}: ${finding.title} (${results})`;
  if (accepted) testcase.ele('skipped', { message: xmlString(oneLine(`accepted by the baseline: ${message}`, MESSAGE_CHARS)) }).txt(xmlString(`\n${lines.join('\n')}\n`));
  else testcase.ele('failure', { message: xmlString(oneLine(message, MESSAGE_CHARS)), type: finding.level }).txt(xmlString(`\n${lines.join('\n')}\n`));
}

/** A failed result the baseline accepts. */
function isAccepted(check: CheckRecord): boolean {
  return check.status === 'fail' && check.accepted !== undefined;
}

/** A finding every failed result of which the baseline accepts. */
function findingAccepted(report: ConformanceReport, finding: Finding): boolean {
  return report.baseline !== undefined && acceptedResults(report, finding.id) === finding.results;
}

function addProperties(suite: XMLBuilder, report: ConformanceReport): void {
  const properties = suite.ele('properties');
  const values: [string, string | undefined][] = [
    ['seed', String(report.seed)],
    ['target', report.target],
    ['tool', report.tool],
    ['tool.version', report.version],
    ['report.version', String(report.reportVersion)],
    ['verdict', report.summary.verdict],
    ['strict', String(report.config.strict)],
    ['systems', report.config.systems.join(',')],
    ['events', String(report.config.events)],
    ['examples', String(report.config.examples)],
    ['deadline.ms', String(report.config.deadlineMs)],
    ['observer', String(report.config.observer)],
    ['shard', report.config.shard],
    ['merged.shards', report.merged?.shards.join(',')],
    ['stopped', report.stopped ?? undefined],
    ['baseline', report.baseline?.file],
    ['baseline.accepted', report.baseline ? String(report.baseline.accepted) : undefined],
    ['baseline.stale', report.baseline ? String(report.baseline.stale) : undefined],
  ];
  for (const [name, value] of values) if (value !== undefined) properties.ele('property', { name, value: xmlString(value) });
}

function addTestcase(suite: XMLBuilder, check: CheckRecord): void {
  const testcase = suite.ele('testcase', {
    name: xmlString(check.event === null ? check.id : `${check.id} [${check.event}]`),
    classname: xmlString(check.id),
    time: seconds(checkMs(check)),
  });
  if (isAccepted(check)) {
    testcase.ele('skipped', { message: xmlString(oneLine(`accepted by the baseline (${check.accepted!.reason}): ${check.level}: ${check.reason ?? check.title}`, MESSAGE_CHARS)) }).txt(xmlString(failureText(check)));
  } else if (check.status === 'fail') {
    testcase.ele('failure', { message: xmlString(oneLine(`${check.level}: ${check.reason ?? check.title}`, MESSAGE_CHARS)), type: check.level }).txt(xmlString(failureText(check)));
  } else if (check.status === 'skip') {
    testcase.ele('skipped', { message: xmlString(oneLine(check.reason ?? 'skipped', MESSAGE_CHARS)) });
  }
}

/** What a person needs to see and repeat the failure. */
function failureText(check: CheckRecord): string {
  const lines = [
    `${check.level} ${check.id}: ${check.title}`,
    `event: ${check.event ?? '(the whole endpoint)'}`,
    `got: ${check.reason ?? ''}`,
    `why it matters: ${check.rationale}`,
    `reproduce: ${check.reproduce}`,
  ];
  for (const exchange of check.exchanges) lines.push('', ...exchangeLines(exchange));
  return `\n${lines.join('\n')}\n`;
}

function exchangeLines(exchange: ExchangeRecord): string[] {
  const lines = [`${exchange.label ? `${exchange.label}: ` : ''}${exchange.request.method} ${exchange.request.url} -> ${answer(exchange)}`];
  const body = exchange.response?.body;
  if (body?.text) {
    const excerpt = body.text.length > BODY_EXCERPT_CHARS ? `${body.text.slice(0, BODY_EXCERPT_CHARS)}… (${body.bytes} bytes)` : body.text;
    lines.push(`response body: ${excerpt}`);
  } else if (body?.base64) lines.push(`response body: ${body.bytes} bytes, not UTF-8`);
  if (exchange.curl) lines.push(`curl: ${exchange.curl}`);
  return lines;
}

function answer(exchange: ExchangeRecord): string {
  if (exchange.response) return `${exchange.response.status} in ${exchange.latencyMs} ms`;
  if (exchange.error) return `${exchange.error.kind}: ${exchange.error.message}`;
  return 'no answer';
}

function checkMs(check: CheckRecord): number {
  return check.exchanges.reduce((sum, exchange) => sum + exchange.latencyMs, 0);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
