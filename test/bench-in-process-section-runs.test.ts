/**
 * The `in-process` benchmark section never rots: at a tiny scale it runs the compliant handler behind a URL and in
 * process (and the Hono fetch handler, and the compiled receiver in a process of its own), and returns figures and
 * goals that agree with them. Speed is not judged here.
 */
import { describe, expect, it } from 'vitest';
import * as inProcess from '../bench/in-process.js';
import { SECTIONS } from '../bench/run.js';

describe('bench section in-process at a tiny scale', () => {
  it('is listed by the runner, and compares the medians it measured', async () => {
    expect(SECTIONS.map((section) => section.name)).toContain('in-process');
    const result = await inProcess.run({ scale: 0.05, repeats: 1 });
    expect(result.data.behindUrl).toHaveLength(1);
    expect(result.data.inProcess).toHaveLength(1);
    expect(result.data.fetchHandler).toHaveLength(1);
    expect(result.data.separateProcess).toHaveLength(1);
    expect(result.data.deliveries).toBeGreaterThan(100);
    expect(result.data.failures).toBe(0);
    expect(result.data.ratio).toBeCloseTo(result.data.medianInProcessMs / result.data.medianBehindUrlMs, 9);
    expect(result.goals[0]!.met).toBe(result.data.ratio <= inProcess.GOAL_RATIO);
    expect(result.goals[1]!.met).toBe(true);
  }, 120_000);
});
