/**
 * Every report format shows what a target sent as text, never as markup, commands or broken files: the HTML escape
 * and the JSON data islands survive a real HTML parser (parse5) for any string; the HTML page holds nothing that
 * loads or runs beyond its own hashed script and style; the JUnit XML is well-formed for libxml2 (xmllint) whatever
 * the characters, and reads back through a JUnit parser (junit2json); the GitHub summary renders as the literal text
 * through a CommonMark renderer (markdown-it), and annotations parse as GitHub's runner parses workflow commands.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseJunit, type TestSuites } from 'junit2json';
import MarkdownIt from 'markdown-it';
import { parse, parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import { afterAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { annotations, codeBlock, commandData, commandProperty, githubSummary, markdownText, publishToGitHub } from '../reports/github.js';
import { escapeHtml, scriptJson } from '../reports/html-escape.js';
import { CONTENT_SECURITY_POLICY, htmlReport } from '../reports/html.js';
import { PAGE_SCRIPT } from '../reports/html-page-script.js';
import { junitXml } from '../reports/junit.js';
import { REPORT_VERSION, type ConformanceReport } from '../reports/report.js';
import { reportProblems } from '../reports/report-schema.js';
import { hostileReport, HOSTILE } from './support/hostile-report.js';
import { SCRIPT_PAYLOADS } from './support/hostile-receiver.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const TMP = mkdtempSync(path.join(os.tmpdir(), 'conformance-formats-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Any UTF-16 string, lone surrogates and control characters included, with the payloads mixed in. */
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom(...SCRIPT_PAYLOADS, HOSTILE, '</script', '<!--', '<script', '\u2028', '\r\n', '`', '|', '&amp;', '&bogus;', '&#60;', '&#x0;', ']]>'));

function elements(node: Node): Element[] {
  const own = 'tagName' in node ? [node as Element] : [];
  const children = 'childNodes' in node ? (node.childNodes as Node[]) : [];
  return [...own, ...children.flatMap(elements)];
}

function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  return 'childNodes' in node ? (node.childNodes as Node[]).map(textOf).join('') : '';
}

/** What an HTML parser makes of text: CR LF and CR become LF; NUL is dropped from text and U+FFFD in attributes. */
const parsedText = (text: string) => text.replace(/\r\n?/g, '\n').replace(/\u0000/g, '');
const parsedAttribute = (text: string) => text.replace(/\r\n?/g, '\n').replace(/\u0000/g, '\ufffd');

describe('HTML escaping', () => {
  it('escapeHtml: any string is one text node, or one attribute value, and nothing else', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const fragment = parseFragment(`<p title="${escapeHtml(text)}">${escapeHtml(text)}</p><i></i>`);
        const found = elements(fragment);
        expect(found.map((element) => element.tagName)).toEqual(['p', 'i']);
        const p = found[0]!;
        expect(p.attrs).toEqual([{ name: 'title', value: parsedAttribute(text) }]);
        expect(textOf(p)).toBe(parsedText(text));
      }),
      { numRuns: 300 },
    );
  });

  it('scriptJson: any value stays inside its data island and parses back to itself', () => {
    const value = fc.oneof(fc.jsonValue(), fc.dictionary(anyText, anyText), fc.array(anyText));
    fc.assert(
      fc.property(value, (data) => {
        const json = scriptJson(data);
        expect(json).not.toMatch(/[<>&\u2028\u2029]/);
        const document = parse(`<!doctype html><html><head></head><body><script type="application/json" id="d">${json}</script><p id="after"></p></body></html>`);
        const found = elements(document).filter((element) => element.tagName !== 'html' && element.tagName !== 'head' && element.tagName !== 'body');
        expect(found.map((element) => element.tagName)).toEqual(['script', 'p']);
        expect(JSON.parse(textOf(found[0]!))).toEqual(JSON.parse(JSON.stringify(data)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the HTML report page', () => {
  const page = htmlReport(hostileReport());
  const document = parse(page);
  const all = elements(document);

  it('holds only its own elements: every hostile string is text or data, never markup', () => {
    const allowed = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'h1', 'h2', 'h4', 'p', 'b', 'small', 'span', 'dl', 'dt', 'dd', 'div', 'section', 'details', 'summary', 'pre', 'ul', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'label', 'select', 'option', 'input', 'button', 'noscript', 'script']);
    expect(all.map((element) => element.tagName).filter((tag) => !allowed.has(tag))).toEqual([]);
    for (const element of all) {
      for (const attribute of element.attrs) expect(attribute.name, `<${element.tagName} ${attribute.name}>`).not.toMatch(/^(on|src|href|action|formaction|srcset|style|background|poster|data$)/);
    }
    expect(textOf(document)).toContain('stopped <script>alert(1)');
    // The findings at the top: every field of the hostile finding is text.
    for (const field of ['Title', 'Cause', 'Fix', 'example', 'Summary', 'Name', 'Value', 'Description']) expect(textOf(document)).toContain(`${field} <script>alert(1)`);
  });

  it('has one script that runs, pinned by hash in a Content-Security-Policy that allows nothing else', () => {
    const scripts = all.filter((element) => element.tagName === 'script');
    const running = scripts.filter((element) => !element.attrs.some((attribute) => attribute.name === 'type'));
    expect(running).toHaveLength(1);
    expect(textOf(running[0]!)).toBe(PAGE_SCRIPT);
    for (const island of scripts.filter((element) => element !== running[0])) {
      expect(island.attrs.find((attribute) => attribute.name === 'type')?.value).toBe('application/json');
      expect(() => JSON.parse(textOf(island))).not.toThrow();
    }
    const csp = all.find((element) => element.tagName === 'meta' && element.attrs.some((attribute) => attribute.value === 'Content-Security-Policy'));
    expect(csp?.attrs.find((attribute) => attribute.name === 'content')?.value).toBe(CONTENT_SECURITY_POLICY);
    const hash = createHash('sha256').update(PAGE_SCRIPT).digest('base64');
    expect(CONTENT_SECURITY_POLICY).toBe(
      `default-src 'none'; script-src 'sha256-${hash}'; style-src ${CONTENT_SECURITY_POLICY.split('style-src ')[1]!.split(';')[0]}; img-src 'none'; base-uri 'none'; form-action 'none'`,
    );
    // The page's own script builds the page with DOM calls and textContent only.
    expect(PAGE_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(\s*['"]on/);
  });
});

function failure0(suite: NonNullable<TestSuites['testsuite']>[number]) {
  return suite.testcase![0]!.failure![0]!;
}

async function wellFormed(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  // `normalization` makes xmllint parse and re-serialize the file: any error of well-formedness fails it.
  const result = await validateXML({ xml: [{ fileName: 'conformance.junit.xml', contents: xml }], normalization: 'format' });
  return { valid: result.valid, errors: result.errors.map((error) => error.message) };
}

describe('the JUnit XML report', () => {
  it('is well-formed XML (libxml2) and a JUnit parser reads suites, cases, failures, skips and properties', async () => {
    const report = hostileReport();
    const xml = junitXml(report);
    expect(await wellFormed(xml)).toEqual({ valid: true, errors: [] });
    const parsed = (await parseJunit(xml)) as TestSuites;
    // 5 results, 3 failed, and one failed testcase per finding.
    expect(report.findings).toHaveLength(3);
    expect(parsed.tests).toBe(5 + 3);
    expect(parsed.failures).toBe(3 + 3);
    expect((parsed.testsuite ?? []).map((suite) => suite.skipped)).toEqual([0, 0, 1, 0]);
    const suites = parsed.testsuite ?? [];
    expect(suites.map((suite) => suite.name)).toEqual(['url-validation', 'signature', 'idempotency', 'findings']);
    const findingCases = suites[3]!.testcase ?? [];
    expect(findingCases.map((testcase) => testcase.name)).toEqual(report.findings.map((finding) => finding.id));
    expect(new Set(findingCases.map((testcase) => testcase.classname))).toEqual(new Set(['findings']));
    expect(failure0(suites[3]!).message).toContain('MUST: Title <script>alert(1)');
    expect(failure0(suites[3]!).inner).toContain('cause: Cause <script>alert(1)');
    const properties = Object.fromEntries((suites[1]!.properties ?? []).map((property) => [property.name, property.value]));
    // (junit2json reads numeric values as numbers)
    expect(properties).toMatchObject({ seed: 7, target: report.target, tool: 'zoom-conformance', 'tool.version': '0.1.0', 'report.version': REPORT_VERSION });
    expect(failure0(suites[1]!).inner).toContain('<b>html</b> &amp; \\ @someone');
    const cases = suites[1]!.testcase ?? [];
    expect(cases.map((testcase) => testcase.classname)).toEqual(['signature.tampered-body', 'signature.tampered-body', 'signature.version-prefix']);
    const failure = cases[0]!.failure![0]!;
    expect(failure.type).toBe('MUST');
    expect(failure.message).toContain('MUST: reason <script>alert(1);window.__pwned="script"</script>');
    expect(failure.inner).toContain(`reproduce: ${report.checks[1]!.reproduce}`);
    expect(failure.inner).toContain('curl: curl -sS');
    expect(cases[1]!.failure).toBeUndefined();
    const skipped = suites[2]!.testcase![0]!.skipped![0]!;
    expect(skipped.message).toContain('reason <script>');
    // What XML cannot hold is written as a visible escape.
    expect(xml).toContain('\\u0000\\u0001\\u0007\\u000b\\u000c\\u001b[31m\\ufffe\\uffff');
  });

  it('stays well-formed and keeps the text for any characters in any field', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, anyText, async (reason, event) => {
        const report = hostileReport();
        Object.assign(report.checks[1]!, { reason, event });
        const xml = junitXml(report);
        const { valid, errors } = await wellFormed(xml);
        expect(valid, errors.join('\n')).toBe(true);
        const parsed = (await parseJunit(xml)) as TestSuites;
        const testcase = parsed.testsuite![1]!.testcase![0]!;
        const visible = (text: string) => text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
        const spaces = (text: string) => text.replace(/\s/g, ' ');
        expect(spaces(testcase.name ?? '')).toBe(spaces(`signature.tampered-body [${visible(event)}]`));
        expect(testcase.failure![0]!.inner).toContain(`got: ${visible(reason)}\n`);
      }),
      { numRuns: 25 },
    );
  });
});

/** A CommonMark renderer's output: its elements, and its text (entities decoded by an HTML parser). */
function rendered(markdown: string): { html: string; tags: string[]; text: string; elements: Element[] } {
  const html = new MarkdownIt({ html: true }).render(markdown);
  const found = elements(parseFragment(html));
  return { html, tags: found.map((element) => element.tagName), text: found.map(textOf).join(' '), elements: found };
}

describe('the GitHub summary and annotations', () => {
  it('markdownText: any string renders as exactly that text in a table cell, with no markup', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { tags, elements: found } = rendered(`| a | b |\n|---|---|\n| ${markdownText(text)} | end |\n`);
        expect(tags).toEqual(['table', 'thead', 'tr', 'th', 'th', 'tbody', 'tr', 'td', 'td']);
        const spaces = (value: string) => value.replace(/\s+/g, ' ').trim();
        expect(spaces(textOf(found[7]!))).toBe(spaces(text.replace(/\u0000/g, '\ufffd')));
        expect(textOf(found[8]!)).toBe('end');
      }),
      { numRuns: 300 },
    );
  });

  it('codeBlock: any text, backtick runs included, is one code block holding exactly that text', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ unit: fc.constantFrom('`', '~', ' ', '\n', '\r', 'a') })), (text) => {
        const { tags, elements: found } = rendered(codeBlock(text, 'sh'));
        expect(tags).toEqual(['pre', 'code']);
        const expected = text.replace(/\r\n?/g, '\n').replace(/\u0000/g, '\ufffd');
        expect(textOf(found[1]!)).toBe(`${expected}\n`);
      }),
      { numRuns: 300 },
    );
  });

  it('annotations are one line each and parse back (as the runner parses ::error) to their title and message', () => {
    const unescape = (text: string, property: boolean) =>
      (property ? text.replace(/%3A/g, ':').replace(/%2C/g, ',') : text).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
    fc.assert(
      fc.property(anyText, anyText, (title, message) => {
        const line = `::error title=${commandProperty(title)}::${commandData(message)}`;
        expect(line).not.toMatch(/[\r\n]/);
        const match = /^::error (.*?)::(.*)$/s.exec(line)!;
        const properties = match[1]!.split(',').map((pair) => pair.split('='));
        expect(properties).toHaveLength(1);
        expect(properties[0]![0]).toBe('title');
        expect(unescape(properties[0]!.slice(1).join('='), true)).toBe(title);
        expect(unescape(match[2]!, false)).toBe(message);
      }),
      { numRuns: 300 },
    );
    const lines = annotations(hostileReport());
    // One per failed MUST check (the SHOULD failure has none).
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^::error title=MUST [^:,\r\n]*::[^\r\n]*$/);
  });

  it('the summary escapes every hostile string: the only HTML is its own details and summary', () => {
    const { tags, html } = rendered(githubSummary(hostileReport()));
    expect(new Set(tags)).toEqual(new Set(['h2', 'p', 'strong', 'table', 'thead', 'tr', 'th', 'tbody', 'td', 'details', 'summary', 'b', 'ul', 'li', 'pre', 'code', 'h3']));
    expect(html).not.toMatch(/<(script|img|svg|iframe|link|meta|style)\b/i);
    expect(html).toContain('&lt;script&gt;alert(1)');
  });

  it('in GitHub Actions: appends the summary to $GITHUB_STEP_SUMMARY and prints ::error annotations; elsewhere nothing', async () => {
    const report: ConformanceReport = hostileReport();
    const summaryFile = path.join(TMP, 'step-summary.md');
    writeFileSync(summaryFile, '# an earlier step\n');
    let stdout = '';
    const io = (env: NodeJS.ProcessEnv) => ({ stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, env, cwd: TMP });
    await publishToGitHub(report, io({ GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTIONS: 'true' }));
    const written = readFileSync(summaryFile, 'utf8');
    expect(written.startsWith('# an earlier step\n## ❌ FAIL: Zoom webhook conformance')).toBe(true);
    expect(stdout.trimEnd().split('\n')).toEqual(annotations(report));

    stdout = '';
    await publishToGitHub(report, io({}));
    expect(stdout).toBe('');
    expect(readFileSync(summaryFile, 'utf8')).toBe(written);
  });
});

it('the hostile report itself matches the report schema', () => {
  expect(reportProblems(hostileReport())).toEqual([]);
});
