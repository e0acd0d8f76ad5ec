import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'conformance-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quiet = { encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };

describe('the npm tarball', () => {
  it('installs into an empty folder (optional dependencies left out) and `npx conformance list` works there; mock-api says Prism is missing', () => {
    const packDir = path.join(work, 'pack');
    const appDir = path.join(work, 'app');
    execFileSync('mkdir', ['-p', packDir, appDir]);
    execFileSync(npm, ['pack', '--pack-destination', packDir], { ...quiet, cwd: REPO_ROOT });
    const tarball = readdirSync(packDir).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--omit=optional', '--prefer-offline', path.join(packDir, tarball!)], { ...quiet, cwd: appDir });
    const out = execFileSync('npx', ['--no-install', 'conformance', 'list', '--system', 'rtms'], { ...quiet, cwd: appDir });
    expect(out).toContain('14 events, 0 operations in 1 spec');
    const json = JSON.parse(execFileSync('npx', ['--no-install', 'conformance', 'list', '--json'], { ...quiet, cwd: appDir })) as unknown[];
    expect(json).toHaveLength(169 + 38);
    // Prism (for `mock-api`) is an optional dependency; left out (as here, to keep this install fast), the command
    // says so in one line and exits 2.
    const bin = path.join(appDir, 'node_modules', 'zoom-conformance', 'bin', 'conformance.js');
    const mock = spawnSync(process.execPath, [bin, 'mock-api', '--port', '0'], { ...quiet, cwd: appDir, timeout: 30_000 });
    expect(mock.status).toBe(2);
    expect(mock.stderr).toMatch(/^conformance: Prism is not installed \(@stoplight\/prism-cli, an optional dependency left out by --omit=optional\): npm install @stoplight\/prism-cli@~5\.14\.2\n$/);
  }, 240_000);
});
