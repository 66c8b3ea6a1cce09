import { OneRecordError } from "../errors.js";

/** Where a command writes; injected so tests can run commands in-process. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export type Command = (argv: string[], io: CliIO) => Promise<number>;

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/**
 * How a command reports a failure: a coded error shows its (safe) message, with the usage text
 * for usage errors; anything else shows only its kind, since its message may quote input.
 */
export function reportCommandError(name: string, usage: string, error: unknown, io: CliIO): number {
  if (error instanceof OneRecordError) {
    io.stderr(`${name}: ${error.message}\n${error.code === "usage" ? `\n${usage}` : ""}`);
    return error.code === "usage" ? EXIT_USAGE : EXIT_INVALID;
  }
  io.stderr(`${name}: unexpected error: ${error instanceof Error ? error.name : "unknown"}\n`);
  return EXIT_INVALID;
}
