import { NOT_A_FILE, readBoundedFile } from "../bounded-file.js";
import {
  DEFAULT_PATH_PATTERN,
  TrustStore,
  displaySafe,
  parseValidationTime,
  MAX_TRUST_FILE_BYTES,
  trustAnchorsFromFile,
  type TrustAnchorSource,
} from "../certificates/index.js";
import type { AccessConfig } from "../config/schema.js";
import { OneRecordError } from "../errors.js";
import { parseArgs } from "node:util";
import { isShowableOptionValue, optionSubject } from "../tokens/token-input.js";
import { parseCommandArgs } from "./args.js";
import { EXIT_INVALID, EXIT_OK, type CliIO } from "./io.js";
import { refuseKeyMaterial } from "./option-file.js";
import { renderReport, reportJson } from "./render-report.js";
import { validateInputs } from "./validate-inputs.js";
import { VALIDATE_USAGE } from "./validate-usage.js";

interface ValidateArgs {
  help: boolean;
  json: boolean;
  at: Date | undefined;
  trust: string[];
  warnDays: number | undefined;
  config: string | undefined;
  paths: string[];
}

/** `onerecord-access validate`: exit 0 when every certificate is valid, 1 when any is not. */
export async function run(argv: string[], io: CliIO & { readStdinBytes?: () => Promise<Buffer> }): Promise<number> {
  const args = parseValidateArgs(argv);
  if (args.help) {
    io.stdout(VALIDATE_USAGE);
    return EXIT_OK;
  }
  const config = args.config ? await configOption(args.config) : undefined;
  const extra: TrustAnchorSource[] = [...(config?.certificates.extraCAs ?? [])];
  for (const file of args.trust) extra.push(...trustedRoots(file));

  // One time for every file, stated in the output: "now" drifts during a long run otherwise.
  const at = args.at ?? new Date();
  const { report: result, advice } = await validateInputs(
    args.paths,
    {
      trust: TrustStore.default(extra),
      at,
      warnDays: args.warnDays ?? config?.certificates.warnDays,
      pattern: config?.certificates.pathPattern ?? DEFAULT_PATH_PATTERN,
    },
    io.readStdinBytes,
  );

  const context = { at, atGiven: args.at !== undefined, advice };
  io.stdout(args.json ? `${JSON.stringify(reportJson(result, context), null, 2)}\n` : renderReport(result, context));
  return result.summary.invalid > 0 || result.files.length === 0 ? EXIT_INVALID : EXIT_OK;
}

function parseValidateArgs(argv: string[]): ValidateArgs {
  const { values, positionals } = parseCommandArgs(argv, (base) =>
    parseArgs({
      ...base,
      options: {
        help: { type: "boolean", short: "h", default: false },
        json: { type: "boolean", default: false },
        at: { type: "string" },
        trust: { type: "string", multiple: true, default: [] },
        "warn-days": { type: "string" },
        config: { type: "string" },
      },
    }),
  );
  if (values.help)
    return { help: true, json: false, at: undefined, trust: [], warnDays: undefined, config: undefined, paths: [] };
  if (positionals.length === 0)
    throw new OneRecordError("usage", "name at least one certificate file or folder (or - for standard input)");

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
    help: false,
    json: values.json ?? false,
    at,
    trust: values.trust ?? [],
    warnDays,
    config: values.config,
    paths: positionals,
  };
}

/** Every certificate of a `--trust` file (PEM bundle or DER), each a CA; see trust-file.ts. */
function trustedRoots(file: string): TrustAnchorSource[] {
  const bytes = readOptionBytes(file, "--trust", MAX_TRUST_FILE_BYTES);
  refuseKeyMaterial(bytes, "--trust", file, "root certificate (PEM or DER)");
  const brand = isShowableOptionValue(file) ? `trusted by --trust ${file}` : "trusted by --trust";
  const result = trustAnchorsFromFile(bytes, brand);
  if (!result.ok) throw new OneRecordError("usage", `${optionSubject("--trust", file)}: ${result.message}`);
  return result.sources;
}

/** Loads the configuration code only when --config is given (see config-option.ts). */
async function configOption(path: string): Promise<AccessConfig> {
  const text = readOptionBytes(path, "--config", MAX_CONFIG_BYTES).toString("utf8");
  const { parseConfigOption } = await import("./config-option.js");
  return parseConfigOption(text, path);
}

/** A configuration file is a page of YAML, with perhaps a few PEM roots in certificates.extraCAs. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * An option's file (--trust, --config), read bounded: a FIFO, a device or a folder is refused
 * unread (see bounded-file.ts). Every refusal is a usage error (exit 2) naming the option.
 */
function readOptionBytes(file: string, flag: string, maxBytes: number): Buffer {
  const read = readBoundedFile(file, maxBytes);
  if (read.ok) return read.bytes;
  const why =
    read.reason === "not-a-file"
      ? NOT_A_FILE
      : read.reason === "too-large"
        ? `the file is larger than ${maxBytes} bytes, the most this option takes`
        : "cannot read the file";
  // A key pasted where a path belongs must not come back in the message: optionSubject.
  throw new OneRecordError("usage", `${optionSubject(flag, file)}: ${why}`);
}
