/**
 * A problem with the options, a configuration file, a spec selection or a baseline file: one line saying what is
 * wrong and what is expected. The command line prints it and exits with code 2; the library throws it.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
