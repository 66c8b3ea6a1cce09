import type { ParseArgsConfig } from "node:util";
import { OneRecordError } from "../errors.js";

/**
 * Strict option parsing for every command: anything unexpected is a usage error (exit 2).
 * Callers pass `parseArgs` itself so its precise result type flows through to them.
 *
 * Node's own messages quote the offending argument, and that argument may be a key or token
 * pasted in the wrong place (a PEM key starts with "-", so it is taken for an option); they are
 * replaced here by messages that name at most a plain option name.
 */
export function parseCommandArgs<T>(
  argv: string[],
  parse: (config: ParseArgsConfig & { args: string[]; strict: true; allowPositionals: true }) => T,
): T {
  try {
    return parse({ args: argv, allowPositionals: true, strict: true });
  } catch (error) {
    throw new OneRecordError("usage", describeParseError(error, argv));
  }
}

// Short enough and plain enough that it cannot hold key or token material worth anything.
const PLAIN_OPTION = /^--?[A-Za-z0-9-]{1,40}$/;
// How Node names a configured option in its value errors: "-h, --help" or "--key <value>".
const CONFIGURED_OPTION = /^Option '(?:-[A-Za-z0-9], )?(--[A-Za-z0-9-]{1,40})(?: <value>)?'/;

function describeParseError(error: unknown, argv: string[]): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const name = /^Unknown option '(.*?)'\. /s.exec(message)?.[1];
      // Node's message is prose around the raw argument; the name counts only if it is a whole
      // argument (or the part before "=", or one letter of a short cluster), not a cut of one.
      const whole =
        name !== undefined && (name.length === 2 || argv.some((arg) => arg === name || arg.startsWith(`${name}=`)));
      return name !== undefined && whole && PLAIN_OPTION.test(name)
        ? `unknown option ${name}`
        : 'unknown option (not shown: it does not look like an option name); a value that starts with "-" is taken for an option';
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = CONFIGURED_OPTION.exec(message)?.[1];
      if (name === undefined) return "an option has a missing or invalid value";
      if (message.includes("argument missing")) return `${name} needs a value`;
      if (message.includes("does not take an argument")) return `${name} does not take a value`;
      if (message.includes("ambiguous"))
        return `the value after ${name} starts with "-" and was taken for an option (write ${name}=VALUE if it really starts with "-")`;
      return `${name} has an invalid value`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return "unexpected argument: this command takes options only";
    default:
      return "the arguments could not be read";
  }
}
