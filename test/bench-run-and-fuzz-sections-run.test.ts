/**
 * The `full-run`, `fuzz-load` and `memory` benchmark sections never rot: at a tiny scale they start the compiled reference
 * receiver, measure, and return figures and goals that agree with the figures. Speed is not judged here.
 */
import { describe, expect, it } from 'vitest';
import * as fullRun from '../bench/full-run.js';
import * as fuzzLoad from '../bench/fuzz-load.js';
import * as memory from '../bench/memory.js';
import { SECTIONS, selectedSections } from '../bench/run.js';

describe('bench sections full-run and fuzz-load at a tiny scale', () => {
  it('are listed by the runner', () => {
    expect(SECTIONS.map((section) => section.name)).toEqual(expect.arrayContaining(['generation', 'full-run', 'fuzz-load']));
  });

  it('full-run: a run against the compliant receiver, with its duration, rate, generation share and no failure', async () => {
    const result = await fullRun.run({ scale: 0.1, repeats: 1 });
    expect(result.name).toBe('full-run');
    expect(result.data.runs).toHaveLength(1);
    const [entry] = result.data.runs;
    expect(entry!.deliveries).toBeGreaterThan(100);
    expect(entry!.failures).toBe(0);
    expect(result.data.generationShare).toBeGreaterThan(0);
    expect(result.data.generationShare).toBeLessThan(1);
    expect(result.goals.find((goal) => goal.description.includes('passes every check'))?.met).toBe(true);
    // Below full scale the 3-second goal is not measured, and says so.
    expect(result.goals.find((goal) => goal.description.includes('under 3 s'))).toMatchObject({ met: false, description: expect.stringMatching(/not measured: BENCH_SCALE < 1/) });
    // The diagnosis: timed on each run's report, and on a run against a receiver with several defects.
    expect(entry!.diagnosisMs).toBeGreaterThan(0);
    expect(result.data.diagnosed.failures).toBeGreaterThan(0);
    expect(result.data.diagnosed.findings).toContain('reserialized-body');
    expect(result.data.diagnosed.diagnosisShare).toBeCloseTo(result.data.diagnosed.diagnosisMs / result.data.diagnosed.durationMs, 9);
    expect(result.goals.find((goal) => goal.description.includes('diagnosis'))).toMatchObject({ met: false });
  });

  it('fuzz-load: fuzz and autocannon against the same receiver, and a goal that matches the measured ratio', async () => {
    const result = await fuzzLoad.run({ scale: 0.02, repeats: 1 });
    expect(result.data.fuzz).toHaveLength(1);
    expect(result.data.autocannon).toHaveLength(1);
    expect(result.data.medianFuzz).toBeGreaterThan(0);
    expect(result.data.medianAutocannon).toBeGreaterThan(0);
    expect(result.data.autocannonOneBody[0]!.non2xx).toBe(0);
    expect(result.data.medianAutocannonOneBody).toBeGreaterThan(0);
    expect(result.data.ratio).toBeCloseTo(result.data.medianFuzz / result.data.medianAutocannon, 6);
    expect(result.goals[0]!.met).toBe(result.data.ratio >= fuzzLoad.GOAL);
  });

  it('memory: runs only when named', () => {
    expect(selectedSections({ only: [] }).map((section) => section.name)).not.toContain('memory');
    expect(selectedSections({ only: [] }).map((section) => section.name)).toEqual(expect.arrayContaining(['generation', 'full-run', 'fuzz-load']));
    expect(selectedSections({ only: ['memory'] }).map((section) => section.name)).toEqual(['memory']);
  });

  it('memory: the peak RSS of a full run and of a fuzz, each a fresh process, and the growth of a longer fuzz', async () => {
    const result = await memory.run({ scale: 0.01, repeats: 1 });
    const { fullRun, fuzz, longFuzz } = result.data;
    for (const measured of [fullRun, fuzz, longFuzz]) {
      expect(measured.exitCode, measured.command).toBe(0);
      expect(measured.peakRss).toBeGreaterThan(20_000_000);
      expect(measured.samples.length).toBeGreaterThan(0);
    }
    expect(longFuzz.samples.length).toBeGreaterThan(10);
    expect(longFuzz.growth).toBeCloseTo((longFuzz.rssAfterLastMinute - longFuzz.rssAfterFirstMinute) / longFuzz.rssAfterFirstMinute, 9);
    // Below full scale the growth goal is not measured, and says so.
    expect(result.goals[0]).toMatchObject({ met: false, description: expect.stringMatching(/not measured: BENCH_SCALE < 1/) });
    expect(result.goals[1]).toMatchObject({ met: true });
  }, 120_000);
});
