/**
 * `--shard i/n`: one of n deterministic slices of a run, for spreading a run over CI machines. The selected events
 * are ordered by system and name, and shard i takes every n-th of them starting at the i-th (index % n == i - 1);
 * the checks of the whole endpoint and the scenarios that span events (URL validation, unknown events, non-JSON
 * bodies, other methods, the burst, the lifecycles) run in shard 1 only. Every delivery is derived from the seed,
 * the probe and the event, never from what ran before, so the shards of a seed together send what one unsharded run
 * of that seed sends, and `conformance merge` puts their reports back together into that run's report.
 */
import { UsageError } from './usage-error.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `i/n`; `name` is how the option is called where it was given (`--shard`, `shard`). */
export function parseShard(value: string, name = '--shard'): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > 1000 || index < 1 || index > count) throw new UsageError(`${name} takes i/n with 1 <= i <= n <= 1000, e.g. 2/3`);
  return { index, count };
}

export function shardName(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** The events whose per-event checks run in the shard. */
export function shardEvents<T extends { system: string; name: string }>(events: readonly T[], shard: Shard): T[] {
  const key = (event: T) => `${event.system}\u0000${event.name}`;
  const ordered = [...events].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return ordered.filter((_, position) => position % shard.count === shard.index - 1);
}
