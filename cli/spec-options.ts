/** `--spec` and `--spec-strict`, the options of every command that reads specs (job/select-specs.ts reads them). */
import { Option } from 'commander';

/** `--spec <file>`, repeatable: each use adds a file. */
export function specOption(description: string): Option {
  return new Option('--spec <file>', `${description} (repeatable: several files are read as one)`).argParser((value: string, previous: string[] | undefined) => [
    ...(previous ?? []),
    value,
  ]);
}

export function specStrictOption(): Option {
  return new Option('--spec-strict', 'refuse --spec files that deviate from OpenAPI (default: read them leniently, with a warning)');
}
