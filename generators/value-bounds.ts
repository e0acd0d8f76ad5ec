/**
 * A value brought within the bounds its schema sets: a string's length in code points (as JSON Schema counts it),
 * a number's range. Applied to realistic values as they are drawn, or, for values the run's world gives, as they are
 * resolved (world-refs.ts).
 */

/** Length in code points, as JSON Schema counts it. */
export function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

export function fitsLength(value: string, min: number, max: number | undefined): boolean {
  const length = codePoints(value);
  return length >= min && (max === undefined || length <= max);
}

/** The string cut to `max` code points, or padded with `x` to `min`. */
export function fitLength(value: string, min: number, max: number | undefined): string {
  let out = value;
  if (max !== undefined && codePoints(out) > max) out = [...out].slice(0, max).join('');
  while (codePoints(out) < min) out += 'x';
  return out;
}

export function clamp(value: number, min: number | undefined, max: number | undefined): number {
  if (min !== undefined && value < min) return min;
  if (max !== undefined && value > max) return max;
  return value;
}
