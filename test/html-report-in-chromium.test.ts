/**
 * The HTML report in a real browser (Debian's Chromium, headless, through playwright-core), from a full run (169
 * events x every check) against a hostile receiver that answers with <script>, onerror= and </script> payloads in
 * its bodies and header values: the page opens from file:// in well under two seconds, no injected script runs, no
 * dialog opens, no request leaves the page and the Content-Security-Policy is never even tested; the findings are
 * above the fold of a laptop screen, each expands to its evidence and filters the results to its own; the filters
 * and the search change what is shown, a failure panel shows the exchange as text, and the page reads on a laptop,
 * on a phone and in print. Screenshots go to test-output/html-report/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../reports/report.js';
import { chromiumAvailable, launchChromium, type Chromium } from './support/chromium.js';
import { startHostileReceiver, type HostileReceiver } from './support/hostile-receiver.js';
import { REPO_ROOT } from './support/paths.js';
import { readReport } from './support/report-files.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec${randomBytes(16).toString('hex')}`;
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-html-'));
const SHOTS = path.join(REPO_ROOT, 'test-output', 'html-report');
/** Time from navigation to the first complete render of a full run's report that the test accepts. */
const OPEN_BUDGET_MS = 2000;

describe.skipIf(!chromiumAvailable())('the HTML report in Chromium', () => {
  let chromium: Chromium;
  let receiver: HostileReceiver;
  let report: ConformanceReport;
  let url: string;

  beforeAll(async () => {
    receiver = await startHostileReceiver(SECRET);
    const result = await runMain(['--target', receiver.url, '--seed', '8', '--report', 'json,html', '--out', OUT, '--no-progress'], { env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } });
    expect(result.code).toBe(1);
    report = readReport(OUT);
    url = pathToFileURL(path.join(OUT, 'conformance.html')).href;
    chromium = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await receiver?.stop();
    rmSync(OUT, { recursive: true, force: true });
  });

  /** A page that records every request, dialog, error and CSP violation. */
  async function open(): Promise<{ page: Page; requests: string[]; dialogs: string[]; errors: string[]; violations: () => Promise<string[]> }> {
    const page = await chromium.context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.addInitScript(`window.__violations = []; document.addEventListener('securitypolicyviolation', function (event) { window.__violations.push(event.violatedDirective + ' ' + event.blockedURI); });`);
    await page.goto(url);
    await page.waitForSelector('html[data-rendered]');
    return { page, requests, dialogs, errors, violations: () => page.evaluate('window.__violations') as Promise<string[]> };
  }

  it('opens a full run fast from file://: no injected script runs, no dialog opens, no request leaves the page', async () => {
    expect(report.config.events).toBe(169);
    expect(report.checks.length).toBeGreaterThan(3500);
    const { page, requests, dialogs, errors, violations } = await open();
    const timing = (await page.evaluate(
      `({ domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd, rendered: Number(document.documentElement.getAttribute('data-rendered')) })`,
    )) as { domContentLoaded: number; rendered: number };
    const sizes = { html: statSync(path.join(OUT, 'conformance.html')).size, json: statSync(path.join(OUT, 'conformance.json')).size };
    const figures = { results: report.checks.length, failures: report.summary.total.fail, ...sizes, ...timing };
    writeFileSync(path.join(SHOTS, 'open-timing.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`HTML report of a full run: ${JSON.stringify(figures)}`);
    expect(timing.rendered).toBeLessThan(OPEN_BUDGET_MS);

    // Open failure panels full of the receiver's payloads, and more pages of the list.
    await page.selectOption('#f-status', 'fail');
    await page.click('#results button.more');
    const panels = page.locator('details.result.fail');
    for (let index = 0; index < 12; index++) await panels.nth(index * 10).locator('summary').click();
    const shown = await page.locator('#results').innerText();
    expect(shown).toContain('<script>alert(1);window.__pwned="script"</script>');
    expect(shown).toContain('</script><script>alert(3)');
    expect(shown).toContain("<img src=x onerror=\"alert(2);window.__pwned='img'\">");
    expect(shown).not.toContain(SECRET);
    expect(shown).toContain('[redacted]');

    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await violations()).toEqual([]);
    expect(errors).toEqual([]);
    // Nothing but the page's own elements: no image, frame, svg, link or extra script came out of the data.
    expect(await page.evaluate(`document.querySelectorAll('img, iframe, svg, object, embed, link, style + style, meta[http-equiv=refresh]').length`)).toBe(0);
    expect(await page.evaluate(`document.querySelectorAll('script:not([type])').length`)).toBe(1);
    await page.close();
  });

  it('the findings are above the fold of a laptop screen; one expands to its evidence and filters the results to its own', async () => {
    expect(report.findings.length).toBeGreaterThan(1);
    const { page, errors, violations } = await open();
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(100);
    const summaries = page.locator('#findings details.finding > summary');
    expect(await summaries.count()).toBe(report.findings.length);
    // Every finding's line is on the first screen, before anything is scrolled.
    for (let index = 0; index < report.findings.length; index++) {
      const box = (await summaries.nth(index).boundingBox())!;
      expect(box.y + box.height, report.findings[index]!.id).toBeLessThanOrEqual(768);
    }
    expect(await summaries.allInnerTexts()).toEqual(report.findings.map((finding) => expect.stringContaining(finding.id)));
    await page.screenshot({ path: path.join(SHOTS, 'findings-laptop.png') });

    // The first finding expands to its cause, fix, evidence and results; its button shows exactly its results.
    const first = report.findings[0]!;
    const item = page.locator('#findings details.finding').first();
    await item.locator('summary').click();
    const text = await item.innerText();
    for (const part of [first.cause, first.fix, first.evidence.summary, 'Results it explains', ...first.checks.map((check) => check.id)]) expect(text).toContain(part);
    if (first.evidence.example) expect(text).toContain(first.evidence.example.reproduce);
    await page.screenshot({ path: path.join(SHOTS, 'finding-open.png') });
    await item.locator('button.show-finding').click();
    expect(await page.locator('#f-count').innerText()).toBe(`${first.results} of ${report.checks.length} results · ${first.results} failed`);
    expect(await page.inputValue('#f-finding')).toBe('0');
    // (the list shows its first page: results of the finding's checks only)
    const shown = new Set(await page.locator('#results details.result .mono').allInnerTexts());
    for (const id of shown) expect(first.checks.map((check) => check.id)).toContain(id);
    // The matrix shows only the events of its results.
    const events = new Set(report.checks.filter((check) => check.finding === first.id).map((check) => check.event ?? '(whole endpoint)'));
    expect((await page.locator('#matrix tbody th').allInnerTexts()).length).toBe(events.size);
    // A result panel names its finding.
    await page.locator('#results details.result').first().locator('summary').click();
    expect(await page.locator('#results details.result .panel').first().innerText()).toContain(`Finding\n${first.id}: ${first.title}`);
    expect(errors).toEqual([]);
    expect(await violations()).toEqual([]);
    await page.close();
  });

  it('filters and search change what is shown; a failure panel expands; laptop, phone and print', async () => {
    const { page, errors } = await open();
    const count = () => page.locator('#f-count').innerText();
    const total = report.checks.length;
    const failed = report.summary.total.fail;
    expect(await count()).toBe(`${total} of ${total} results · ${failed} failed`);
    const matrixColumns = () => page.locator('#matrix thead th').allInnerTexts();
    const matrixRows = () => page.locator('#matrix tbody th').allInnerTexts();
    expect(await matrixColumns()).toEqual(['event', 'url-validation', 'acknowledgement', 'signature', 'idempotency', 'robustness']);
    expect((await matrixRows()).length).toBeGreaterThan(169);

    await page.selectOption('#f-status', 'fail');
    expect(await count()).toBe(`${failed} of ${total} results · ${failed} failed`);
    expect(new Set(await page.locator('#results details.result summary .badge:first-child').allInnerTexts())).toEqual(new Set(['FAIL']));

    await page.selectOption('#f-suite', 'signature');
    const signatureFailures = report.checks.filter((check) => check.suite === 'signature' && check.status === 'fail').length;
    expect(await count()).toBe(`${signatureFailures} of ${total} results · ${signatureFailures} failed`);
    expect(await matrixColumns()).toEqual(['event', 'signature']);

    await page.selectOption('#f-system', 'video-sdk');
    const rows = await matrixRows();
    expect(rows.length).toBe(36);
    for (const row of rows) expect(row).toMatch(/^session\.\S+ ?video-sdk$/);

    await page.selectOption('#f-level', 'SHOULD');
    const shouldFailures = report.checks.filter((check) => check.suite === 'signature' && check.status === 'fail' && check.level === 'SHOULD' && check.system === 'video-sdk').length;
    expect(await count()).toBe(`${shouldFailures} of ${total} results · ${shouldFailures} failed`);

    await page.click('#f-reset');
    expect(await count()).toBe(`${total} of ${total} results · ${failed} failed`);
    // The search looks at the check id and title, the event, its system and the reason.
    const needle = 'session.user_joined';
    const found = report.checks.filter((check) => [check.id, check.title, check.event ?? '(whole endpoint)', check.system ?? '', check.reason ?? ''].join('\n').toLowerCase().includes(needle));
    await page.fill('#f-search', needle);
    // (the search waits 120 ms for typing to stop; the page's CSP forbids waitForFunction's eval, so poll)
    await expect.poll(count).toMatch(new RegExp(`^${found.length} of `));
    expect(await matrixRows()).toContainEqual(expect.stringMatching(/^session\.user_joined ?video-sdk$/));
    expect((await matrixRows()).length).toBe(new Set(found.map((check) => check.event)).size);

    // A matrix cell lists its results: the suite and the event become the filters.
    await page.click('#f-reset');
    await page.click('#matrix button.cell.fail >> nth=0');
    expect(await page.inputValue('#f-suite')).not.toBe('');
    expect(await page.inputValue('#f-search')).not.toBe('');

    // A failure panel: what was expected, what came back, the request with its headers, the commands.
    await page.click('#f-reset');
    await page.selectOption('#f-status', 'fail');
    await page.fill('#f-search', 'signature.tampered-body');
    await expect.poll(() => page.locator('#results details.result .mono').allInnerTexts()).toContain('signature.tampered-body');
    expect(new Set(await page.locator('#results details.result .mono').allInnerTexts())).toEqual(new Set(['signature.tampered-body']));
    const first = page.locator('#results details.result').first();
    await first.locator('summary').click();
    const panel = first.locator('.panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const text = await panel.innerText();
    for (const part of ['Expected', 'Why', 'Got', 'Reproduce', 'REQUEST', 'RESPONSE', 'x-zm-signature', 'x-zm-request-timestamp', 'x-echo-secret', '[redacted]', 'pretty-printed', 'curl -sS -i -X POST', '--checks signature.tampered-body']) {
      expect(text, part).toContain(part);
    }
    expect(text).toMatch(/"event": "[a-z_.]+",\n\s+"payload": \{/);
    await first.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'failure-panel.png') });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.click('#f-reset');
    await page.screenshot({ path: path.join(SHOTS, 'laptop.png') });

    // A phone: nothing wider than the screen but the matrix, which scrolls inside its own box.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, 'phone.png') });

    // Print: a light page without the controls.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.filters')).display`)).toBe('none');
    expect(await page.evaluate(`getComputedStyle(document.body).backgroundColor`)).toBe('rgb(255, 255, 255)');
    await page.emulateMedia({ media: 'screen' });
    expect(errors).toEqual([]);
    await page.close();
  });
});
