import { readFile } from "node:fs/promises";
import {
  DEFAULT_PATH_PATTERN,
  TrustStore,
  displaySafe,
  parseValidationTime,
  trustAnchorsFromFile,
  validatePaths,
  type TrustAnchorSource,
} from "../certificates/index.js";
import { parseConfigText } from "../config/parse.js";
import { OneRecordError } from "../errors.js";
import { parseArgs } from "node:util";
import { isShowableOptionValue, optionSubject } from "../tokens/token-input.js";
import { parseCommandArgs } from "./args.js";
import { EXIT_INVALID, EXIT_OK, type CliIO } from "./io.js";
import { renderReport } from "./render-report.js";

interface ValidateArgs {
  json: boolean;
  at: Date | undefined;
  trust: string[];
  warnDays: number | undefined;
  config: string | undefined;
  paths: string[];
}

/** `onerecord-access validate`: exit 0 when every certificate is valid, 1 when any is not. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseValidateArgs(argv);
  const config = args.config ? parseConfigText(await readText(args.config, "--config")) : undefined;
  const extra: TrustAnchorSource[] = [...(config?.certificates.extraCAs ?? [])];
  for (const file of args.trust) extra.push(...(await trustedRoots(file)));

  const result = await validatePaths(args.paths, {
    trust: TrustStore.default(extra),
    at: args.at,
    warnDays: args.warnDays ?? config?.certificates.warnDays,
    pattern: config?.certificates.pathPattern ?? DEFAULT_PATH_PATTERN,
  });

  io.stdout(args.json ? `${JSON.stringify(result, null, 2)}\n` : renderReport(result));
  return result.summary.invalid > 0 || result.files.length === 0 ? EXIT_INVALID : EXIT_OK;
}

function parseValidateArgs(argv: string[]): ValidateArgs {
  const { values, positionals } = parseCommandArgs(argv, (base) =>
    parseArgs({
      ...base,
      options: {
        json: { type: "boolean", default: false },
        at: { type: "string" },
        trust: { type: "string", multiple: true, default: [] },
        "warn-days": { type: "string" },
        config: { type: "string" },
      },
    }),
  );
  if (positionals.length === 0) throw new OneRecordError("usage", "name at least one certificate file or folder");

  let at: Date | undefined;
  if (values.at !== undefined) {
    at = parseValidationTime(values.at);
    if (!at)
      throw new OneRecordError(
        "usage",
        `--at must be an ISO-8601 time on the calendar, such as 2026-01-31T12:00:00Z, not "${displaySafe(values.at.slice(0, 40))}"`,
      );
  }
  let warnDays: number | undefined;
  if (values["warn-days"] !== undefined) {
    warnDays = Number(values["warn-days"]);
    if (!/^\d{1,4}$/.test(values["warn-days"]))
      throw new OneRecordError("usage", "--warn-days must be a whole number of days (0-9999)");
  }
  return {
    json: values.json ?? false,
    at,
    trust: values.trust ?? [],
    warnDays,
    config: values.config,
    paths: positionals,
  };
}

/** Every certificate of a `--trust` file (PEM bundle or DER), each a CA; see trust-file.ts. */
async function trustedRoots(file: string): Promise<TrustAnchorSource[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new OneRecordError("usage", `${optionSubject("--trust", file)}: cannot read the file`);
  }
  const brand = isShowableOptionValue(file) ? `trusted by --trust ${file}` : "trusted by --trust";
  const result = trustAnchorsFromFile(bytes, brand);
  if (!result.ok) throw new OneRecordError("usage", `${optionSubject("--trust", file)}: ${result.message}`);
  return result.sources;
}

async function readText(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch {
    // A key pasted where a path belongs must not come back in the message.
    throw new OneRecordError("usage", `${optionSubject(flag, file)}: cannot read the file`);
  }
}
