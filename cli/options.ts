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
