import type { ParseArgsConfig } from "node:util";
import { OneRecordError } from "../errors.js";

/**
 * Strict option parsing for every command: anything unexpected is a usage error (exit 2).
 * Callers pass `parseArgs` itself so its precise result type flows through to them.
 */
export function parseCommandArgs<T>(argv: string[], parse: (config: ParseArgsConfig & { args: string[]; strict: true; allowPositionals: true }) => T): T {
  try {
    return parse({ args: argv, allowPositionals: true, strict: true });
  } catch (error) {
    throw new OneRecordError("usage", error instanceof Error ? error.message : "bad arguments");
  }
}
