/**
 * Headless Chromium (Debian's `chromium` package) through playwright-core, for the tests that open the HTML report.
 * On a machine without Chromium those tests skip; under CI=true (where .ci/run installs it) its absence fails loudly.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** No sandbox (root in containers), no GPU, and nothing of Chromium's own that talks to the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumAvailable(): boolean {
  const present = existsSync(CHROMIUM);
  if (!present && process.env.CI === 'true') {
    throw new Error(`CI=true but Chromium is missing at ${CHROMIUM} (.ci/run installs Debian's chromium package)`);
  }
  return present;
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** One browser with a fresh profile (--user-data-dir), removed again on close. */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'conformance-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
