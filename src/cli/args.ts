import { parseArgs, type ParseArgsConfig } from "node:util";
import { OneRecordError } from "../errors.js";

/** Strict option parsing for every command: anything unexpected is a usage error (exit 2). */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new OneRecordError("usage", error instanceof Error ? error.message : "bad arguments");
  }
}
