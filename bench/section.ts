/**
 * What a benchmark section is: a module that exports `name`, `title` and `run(options)`. `bench/run.ts` lists the
 * section modules and runs them in order; a section only measures and formats, the runner prints and saves.
 */

export interface SectionOptions {
  /** Workload multiplier (BENCH_SCALE): 1 is the full benchmark, 0.2 a quick run, 0.01 a smoke test. */
  scale: number;
  /** Timed repetitions of each measurement (BENCH_REPEATS); the report gives their median. */
  repeats: number;
  /** Progress lines (the runner sends them to stderr; tests leave them out). */
  log?: (line: string) => void;
}

/** A target the project has set for itself, and whether this run reaches it. */
export interface Goal {
  description: string;
  met: boolean;
}

export interface SectionResult<Data = unknown> {
  /** The section's name: its JSON lands in `bench/results/<name>.json`. */
  name: string;
  title: string;
  /** The human-readable report (tables and notes), one line per entry. */
  lines: string[];
  goals: Goal[];
  /** Everything measured, for the JSON file. */
  data: Data;
}

export interface BenchSection<Data = unknown> {
  name: string;
  title: string;
  run(options: SectionOptions): Promise<SectionResult<Data>>;
}
