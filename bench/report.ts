/** Small helpers shared by benchmark sections: timing statistics and plain-text tables. */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Spread of repeated timings: (max - min) / median, as a fraction. */
export function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** A number with thousands separators and `digits` decimals. */
export function num(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function megabytes(bytes: number, digits = 1): string {
  return num(bytes / 1_000_000, digits);
}

export function percent(fraction: number): string {
  return `${num(fraction * 100, 0)}%`;
}

/** A plain-text table: a header row, a rule, the rows. Columns listed in `left` are left-aligned, the others right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], left: readonly number[] = [0]): string[] {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (left.includes(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
}
