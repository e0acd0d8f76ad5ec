#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci` and `npm pack`).
import { main } from '../dist/cli/main.js';
import { printable } from '../dist/reports/console.js';

// A reader that goes away (`conformance list | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`conformance: internal error: ${printable(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    process.exitCode = 70;
  },
);
