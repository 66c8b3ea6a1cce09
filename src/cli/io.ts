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
    const message = looksLikeItHoldsSecrets(error.message)
      ? "the error message is withheld: it appears to quote key or token material"
      : error.message;
    io.stderr(`${name}: ${message}\n${error.code === "usage" ? `\n${usage}` : ""}`);
    return exitCodeFor(error);
  }
  io.stderr(`${name}: unexpected error: ${error instanceof Error ? error.name : "unknown"}\n`);
  return EXIT_INVALID;
}

// The command stopped before judging anything: bad arguments, an option file it cannot read, a
// broken configuration. Every command exits 2 for these, so scripts can tell them from a verdict.
const NOT_JUDGED = new Set<OneRecordError["code"]>(["usage", "io-error", "config-invalid", "config-not-found"]);

/** 2 when the command could not run as asked, 1 when it ran and the input failed. */
export function exitCodeFor(error: OneRecordError): number {
  return NOT_JUDGED.has(error.code) ? EXIT_USAGE : EXIT_INVALID;
}

// A last guard, not the means: messages are built never to quote input, but a message that
// slipped through with a PEM block, a compact JOSE token or a private JWK member loses its text
// rather than print the secret.
const SECRET_SHAPES = [/-----BEGIN /, /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\./, /"d"\s*:/];

function looksLikeItHoldsSecrets(message: string): boolean {
  return SECRET_SHAPES.some((shape) => shape.test(message));
}
