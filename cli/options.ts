/** Parsers for option values: each throws commander's InvalidArgumentError, which becomes a one-line usage error. */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../job/options.js';

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

export { freshSeed } from '../job/options.js';

/** `60s`, `2m`, `1500ms`, `1h` (a bare number is seconds), from 1 ms to 24 h, in milliseconds. */
export function durationValue(name: string): (value: string) => number {
  return (value) => {
    try {
      return parseDuration(value, name);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}
