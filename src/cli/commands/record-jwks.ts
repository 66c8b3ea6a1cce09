import { parseArgs } from "node:util";
import { OneRecordError } from "../../errors.js";
import { loadRecordSigningKey } from "../../record/record-signing-key.js";
import { readOptionFile } from "../../tokens/token-input.js";
import { parseCommandArgs } from "../args.js";
import { EXIT_OK, reportCommandError, type CliIO } from "../io.js";
import { RUN_CLI } from "../program.js";

const NAME = "onerecord-access record-jwks";
const USAGE = `usage: ${RUN_CLI} record-jwks [--key FILE]

Prints the public JWKS of the app's record signing key, for records.jwks in
.github/onerecord-access.yml. The key is read from the file given with --key, or else from the
RECORD_SIGNING_KEY environment variable (a PEM or a private JWK; ES256 or EdDSA). Only public
members are printed, never the key.

exit codes: 0 printed, 1 the key is refused or unreadable, 2 usage
`;

export interface RecordJwksIO extends CliIO {
  env?: Record<string, string | undefined>;
}

export async function run(argv: string[], io: RecordJwksIO): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(argv, (base) =>
      parseArgs({ ...base, options: { key: { type: "string" }, help: { type: "boolean", short: "h" } } }),
    );
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    // The key is never an argument: arguments end up in shell history and process lists.
    if (positionals.length > 0) throw new OneRecordError("usage", "no arguments (pass the key with --key FILE)");
    const secret = values.key
      ? (await readOptionFile(values.key, "--key")).toString("utf8")
      : (io.env ?? process.env).RECORD_SIGNING_KEY;
    if (!secret) throw new OneRecordError("usage", "give --key FILE or set RECORD_SIGNING_KEY");
    const key = await loadRecordSigningKey(secret);
    io.stdout(`${JSON.stringify(key.jwks, null, 2)}\n`);
    return EXIT_OK;
  } catch (error) {
    return reportCommandError(NAME, USAGE, error, io);
  }
}
