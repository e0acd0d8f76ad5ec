/** `conformance list`: the catalog of events and operations, as a table or JSON. */
import { fieldStats, type ApiOperation, type Spec } from '../specs/catalog.js';
import { printable, printableJson } from '../reports/console.js';
import type { Io } from './io.js';

export interface CatalogRow {
  system: string;
  kind: 'event' | 'operation';
  /** The event name, or `METHOD /path`. */
  name: string;
  fields: number;
  required: number;
}

export function catalogRows(specs: Spec[]): CatalogRow[] {
  const rows: CatalogRow[] = [];
  for (const spec of specs) {
    for (const event of spec.events) {
      rows.push({ system: spec.system, kind: 'event', name: event.name, ...fieldStats(event.body.schema) });
    }
    for (const operation of spec.operations) {
      rows.push({ system: spec.system, kind: 'operation', name: `${operation.method.toUpperCase()} ${operation.path}`, ...operationStats(operation) });
    }
  }
  return rows;
}

/** An operation's request fields: its parameters and the fields of its request body. */
function operationStats(operation: ApiOperation): { fields: number; required: number } {
  const body = fieldStats(operation.requestBody?.schema);
  return {
    fields: operation.parameters.length + body.fields,
    required: operation.parameters.filter((parameter) => parameter.required).length + body.required,
  };
}

export function printCatalog(rows: CatalogRow[], io: Io, json: boolean): void {
  if (json) {
    io.stdout.write(`${printableJson(rows, 2)}\n`);
    return;
  }
  const header = ['SYSTEM', 'EVENT / OPERATION', 'FIELDS', 'REQUIRED'];
  // Names come from the spec file: escaped before they are measured and printed.
  const table = rows.map((row) => [printable(row.system), printable(row.name), String(row.fields), String(row.required)]);
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column >= 2 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  io.stdout.write(`${[line(header), ...table.map(line)].join('\n')}\n`);
  const events = rows.filter((row) => row.kind === 'event').length;
  const operations = rows.length - events;
  const systems = new Set(rows.map((row) => row.system)).size;
  io.stdout.write(`\n${events} events, ${operations} operations in ${systems} ${systems === 1 ? 'spec' : 'specs'}\n`);
}
