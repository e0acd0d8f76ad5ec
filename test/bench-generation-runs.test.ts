/**
 * The benchmark never rots: the generation section runs at a tiny scale and yields numbers and goals, and
 * `tsx bench/run.ts` (what `npm run bench` runs) prints the report, saves the JSON and refuses bad settings.
 * Nothing here judges speed: goals may be met or not at this scale; only their presence and consistency count.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import * as generation from '../bench/generation.js';
import { benchSettings, SECTIONS } from '../bench/run.js';
import type { BenchSection, SectionResult } from '../bench/section.js';
import { REPO_ROOT } from './support/paths.js';

const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

function runBench(env: Record<string, string>, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, ['bench/run.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const positive = (value: number) => Number.isFinite(value) && value > 0;

describe('bench section "generation" at a tiny scale', () => {
  const section: BenchSection<generation.GenerationData> = generation;
  let result: SectionResult<generation.GenerationData>;
  let data: generation.GenerationData;
  beforeAll(async () => {
    result = await section.run({ scale: 0.01, repeats: 1 });
    data = result.data;
  });

  it('is the runner’s first section', () => {
    expect(SECTIONS.map((entry) => entry.name)[0]).toBe('generation');
    expect(result.name).toBe('generation');
    expect(result.title).toBe(generation.title);
  });

  it('measures ours and json-schema-faker for every webhook system, in valid and edge mode', () => {
    expect(data.rows.map((row) => `${row.system}/${row.mode}`)).toEqual(WEBHOOK_SYSTEMS.flatMap((system) => [`${system}/valid`, `${system}/edge`]));
    for (const row of data.rows) {
      for (const side of [row.ours, row.jsf]) {
        expect(positive(side.perSecond), `${row.system} ${row.mode}`).toBe(true);
        expect(positive(side.bytesPerSecond)).toBe(true);
        expect(side.timingsMs).toHaveLength(1);
      }
      // Same count on both sides: every event, perEvent bodies each.
      expect(row.ours.deliveries).toBe(row.events * row.perEvent);
      expect(row.jsf.deliveries).toBe(row.events * row.perEvent);
      expect(row.ratio).toBeCloseTo(row.ours.perSecond / row.jsf.perSecond, 6);
    }
  });

  it('states the 2x goal once per system, met exactly when the valid-mode ratio reaches it', () => {
    expect(result.goals).toHaveLength(WEBHOOK_SYSTEMS.length);
    for (const system of WEBHOOK_SYSTEMS) {
      const row = data.rows.find((candidate) => candidate.system === system && candidate.mode === 'valid')!;
      const goal = result.goals.find((candidate) => candidate.description.startsWith(`${system}:`))!;
      expect(goal, system).toBeDefined();
      expect(goal.met).toBe(row.ratio >= generation.GOAL_RATIO);
      expect(row.goalMet).toBe(goal.met);
    }
    expect(data.rows.filter((row) => row.mode === 'edge').every((row) => row.goalMet === undefined)).toBe(true);
  });

  it('reports what each side generates, and both sides generate schema-valid bodies', () => {
    expect(data.shapes.map((shape) => shape.system)).toEqual([...WEBHOOK_SYSTEMS]);
    for (const { ours, jsf } of data.shapes) {
      expect(ours.bodies).toBeGreaterThan(0);
      expect(jsf.bodies).toBe(ours.bodies);
      expect(ours.schemaValidShare).toBe(1);
      expect(positive(ours.meanBytes) && positive(jsf.meanBytes)).toBe(true);
    }
    expect(data.jsfVersion).toMatch(/^0\.5\.\d+$/);
    expect(result.lines.join('\n')).toContain('ours/jsf');
  });
});

describe('bench/run.ts', () => {
  const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'zoom-conformance-bench-'));
  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

  it('reads BENCH_SCALE and BENCH_REPEATS, and refuses bad values and unknown sections', () => {
    expect(benchSettings({}, [])).toMatchObject({ scale: 1, repeats: 5, only: [] });
    expect(benchSettings({ BENCH_SCALE: '0.2', BENCH_REPEATS: '3' }, ['generation'])).toMatchObject({ scale: 0.2, repeats: 3, only: ['generation'] });
    expect(() => benchSettings({ BENCH_SCALE: '0' }, [])).toThrow(/BENCH_SCALE/);
    expect(() => benchSettings({ BENCH_SCALE: 'fast' }, [])).toThrow(/BENCH_SCALE/);
    expect(() => benchSettings({ BENCH_REPEATS: '1.5' }, [])).toThrow(/BENCH_REPEATS/);
    expect(() => benchSettings({}, ['nope'])).toThrow(/unknown section nope/);
  });

  it('runs end to end: report on stdout, progress on stderr, JSON in the results folder', async () => {
    const run = await runBench({ BENCH_SCALE: '0.01', BENCH_REPEATS: '1', BENCH_RESULTS_DIR: resultsDir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(generation.title);
    expect(run.stdout).toMatch(/Goals:\n(  \[(met|NOT met)\] .+\n){4}/);
    expect(run.stderr).toContain('bench: generation');
    expect(run.stdout).not.toContain('warming up');
    const file = path.join(resultsDir, 'generation.json');
    expect(existsSync(file)).toBe(true);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { name: string; scale: number; repeats: number; goals: unknown[]; data: { rows: unknown[] }; machine: { node: string } };
    expect(saved).toMatchObject({ name: 'generation', scale: 0.01, repeats: 1 });
    expect(saved.goals).toHaveLength(4);
    expect(saved.data.rows).toHaveLength(8);
    expect(saved.machine.node).toMatch(/^v\d+\./);
  });

  it('exits 2 on a bad setting, before running anything', async () => {
    const run = await runBench({ BENCH_SCALE: '-1', BENCH_RESULTS_DIR: resultsDir }, []);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('BENCH_SCALE must be a number above 0');
    expect(run.stdout).toBe('');
  });
});
