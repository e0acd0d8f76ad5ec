/**
 * Where reports are written and what they may read of the environment: the console streams and variables. The
 * command line passes its own streams (cli/io.ts satisfies this shape); tests pass buffers.
 */
export interface Output {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}
