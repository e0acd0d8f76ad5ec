import { execFileSync } from 'node:child_process';
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
  it('installs into an empty folder and `npx conformance list` works there', () => {
    const packDir = path.join(work, 'pack');
    const appDir = path.join(work, 'app');
    execFileSync('mkdir', ['-p', packDir, appDir]);
    execFileSync(npm, ['pack', '--pack-destination', packDir], { ...quiet, cwd: REPO_ROOT });
    const tarball = readdirSync(packDir).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    execFileSync(npm, ['install', '--no-audit', '--no-fund', path.join(packDir, tarball!)], { ...quiet, cwd: appDir });
    const out = execFileSync('npx', ['--no-install', 'conformance', 'list', '--system', 'rtms'], { ...quiet, cwd: appDir });
    expect(out).toContain('14 events, 0 operations in 1 spec');
    const json = JSON.parse(execFileSync('npx', ['--no-install', 'conformance', 'list', '--json'], { ...quiet, cwd: appDir })) as unknown[];
    expect(json).toHaveLength(169 + 38);
  }, 240_000);
});
