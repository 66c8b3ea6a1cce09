import { OneRecordError } from "../../errors.js";
import {
  decryptDeviceToken,
  loadDevicePrivateKey,
  looksLikeCompactJwe,
  looksLikeCompactJws,
} from "../../tokens/index.js";
import { optionSubject, readOptionFile, readStdin, readTokenArgument } from "../../tokens/token-input.js";
import { parseArgs } from "node:util";
import { parseCommandArgs } from "../args.js";
import { EXIT_OK, reportCommandError, type CliIO } from "../io.js";
import { RUN_CLI } from "../program.js";

const NAME = "onerecord-access decrypt-token";
const USAGE = `usage: ${RUN_CLI} decrypt-token --key DEVICE.key JWE

Decrypts the token OneRecord delivered for a device with that device's private key (PEM:
PKCS#8, PKCS#1 or SEC1) and prints the device JWT on standard output. JWE is the token itself,
a file holding it, or - for standard input.

exit codes: 0 decrypted, 1 not decryptable with this key (or an unreadable JWE), 2 usage or a
--key file that cannot be read or holds no private key
`;

export interface DecryptTokenIO extends CliIO {
  /** Standard input as text; injectable for tests. */
  readStdin?: () => Promise<string>;
}

/**
 * The customer's own token on their own machine: printing it to stdout is the point. It goes
 * nowhere else — never to stderr, never into an error message.
 */
export async function run(argv: string[], io: DecryptTokenIO): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (!values.key) throw new OneRecordError("usage", "--key DEVICE.key is required");
    if (positionals.length !== 1)
      throw new OneRecordError("usage", "give exactly one JWE (the token, a file, or - for standard input)");

    const key = readDeviceKey((await readOptionFile(values.key, "--key")).toString("utf8"), values.key);
    const jwe = await readTokenArgument(positionals[0]!, {
      what: "JWE",
      looksLikeToken: (text) => looksLikeCompactJwe(text) || looksLikeCompactJws(text),
      readStdin: io.readStdin ?? (() => readStdin()),
    });
    const jwt = await decryptDeviceToken(jwe, key);
    io.stdout(`${jwt}\n`);
    return EXIT_OK;
  } catch (error) {
    return reportCommandError(NAME, USAGE, error, io);
  }
}

/** A --key file that holds no usable private key is an option file the command cannot use: exit 2. */
function readDeviceKey(text: string, path: string) {
  try {
    return loadDevicePrivateKey(text);
  } catch (error) {
    if (!(error instanceof OneRecordError)) throw error;
    throw new OneRecordError("usage", `${optionSubject("--key", path)}: ${error.message}`);
  }
}

function parse(argv: string[]) {
  return parseCommandArgs(argv, (base) =>
    parseArgs({ ...base, options: { key: { type: "string" }, help: { type: "boolean", short: "h" } } }),
  );
}
