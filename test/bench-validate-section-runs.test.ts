/**
 * The `validate` benchmark section never rots: at a tiny scale it makes signed records of every bundled event, runs
 * the whole `conformance validate` command over them, and reports figures and goals that agree with the figures.
 * Speed is not judged here (the 100,000-delivery goal is measured at full scale only, and says so below it).
 */
import { describe, expect, it } from 'vitest';
import { SECTIONS } from '../bench/run.js';
import * as validate from '../bench/validate.js';

describe('bench section validate at a tiny scale', () => {
  it('is listed by the runner', () => {
    expect(SECTIONS.map((section) => section.name)).toContain('validate');
  });

  it('validates every generated delivery, signature included, and reports its rate', async () => {
    const result = await validate.run({ scale: 0.003, repeats: 1 });
    expect(result.name).toBe('validate');
    expect(result.data.deliveries).toBe(300);
    expect(result.data.events).toBe(169);
    expect(result.data.runs).toHaveLength(1);
    expect(result.data.runs[0]).toMatchObject({ exitCode: 0, deliveries: 300 });
    expect(result.data.deliveriesPerSecond).toBeCloseTo(300 / (result.data.medianMs / 1000), 6);
    expect(result.goals.find((goal) => goal.description.includes('every generated valid delivery'))?.met).toBe(true);
    expect(result.goals.find((goal) => goal.description.includes('100,000 deliveries'))).toMatchObject({ met: false });
    expect(result.goals.find((goal) => goal.description.includes('100,000 deliveries'))!.description).toContain('not measured');
  });
});
