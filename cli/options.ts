/** Parsers for option values: each throws commander's InvalidArgumentError, which becomes a one-line usage error. */
import { InvalidArgumentError } from 'commander';

export function positiveInteger(name: string, max = 1_000_000): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    }
    return Number(value);
  };
}

/** A run seed: any 32-bit integer, as fast-check takes it. */
export function seedValue(value: string): number {
  if (!/^-?\d+$/.test(value) || Number(value) < -2147483648 || Number(value) > 4294967295) {
    throw new InvalidArgumentError('the seed must be a 32-bit integer');
  }
  return Number(value) | 0;
}

/** A fresh seed when none is given; printed so the run can be repeated. */
export function freshSeed(): number {
  return (Math.floor(Math.random() * 0x7fffffff) ^ Date.now()) | 0;
}

/** `60s`, `2m`, `1500ms`, `1h` (a bare number is seconds), from 1 ms to 24 h, in milliseconds. */
export function durationValue(name: string): (value: string) => number {
  return (value) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
    if (!match) throw new InvalidArgumentError(`${name} takes a time such as 60s, 2m or 1500ms, got "${value}"`);
    const amount = Number(match[1]);
    const unit = match[2] ?? 's';
    const ms = amount * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
    if (ms < 1 || ms > 24 * 3_600_000) throw new InvalidArgumentError(`${name} must be between 1 ms and 24 h`);
    return Math.round(ms);
  };
}
