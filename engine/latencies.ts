/**
 * Latencies of answered deliveries, kept as counts per tenth of a millisecond (the precision reports show them
 * at): the percentiles and the maximum are exactly those of the full list at that precision, and the memory is the
 * number of distinct tenths, not the number of deliveries (a long fuzz run answers millions).
 */

/** Milliseconds, to a tenth. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export class Latencies {
  /** Deliveries per latency in tenths of a millisecond. */
  private readonly counts = new Map<number, number>();
  private total = 0;

  static of(list: readonly number[]): Latencies {
    const latencies = new Latencies();
    for (const ms of list) latencies.add(ms);
    return latencies;
  }

  add(ms: number): void {
    const tenths = Math.round(ms * 10);
    this.counts.set(tenths, (this.counts.get(tenths) ?? 0) + 1);
    this.total++;
  }

  get count(): number {
    return this.total;
  }

  /**
   * The 50th, 90th and 99th percentiles (the value at rank ceil(p x n) of the n latencies in order) and the
   * maximum, each to a tenth of a millisecond; null when nothing was answered.
   */
  summary(): LatencySummary | null {
    if (this.total === 0) return null;
    const tenths = [...this.counts.keys()].sort((a, b) => a - b);
    const at = (fraction: number) => {
      const rank = Math.min(this.total - 1, Math.ceil(fraction * this.total) - 1);
      let seen = 0;
      for (const value of tenths) {
        seen += this.counts.get(value)!;
        if (seen > rank) return value / 10;
      }
      return tenths[tenths.length - 1]! / 10;
    };
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: tenths[tenths.length - 1]! / 10 };
  }
}
