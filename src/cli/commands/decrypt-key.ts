import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { parseArgs } from "node:util";
import { decryptDeviceKey } from "../../delivery/decrypt-device-key.js";
import { OneRecordError } from "../../errors.js";
import { looksLikeCompactJwe } from "../../tokens/index.js";
import { optionSubject, readOptionFile, readStdin, readTokenArgument } from "../../tokens/token-input.js";
import { parseCommandArgs } from "../args.js";
import { EXIT_OK, reportCommandError, type CliIO } from "../io.js";
import { writePrivateFile } from "../private-file.js";
import { RUN_CLI } from "../program.js";

const NAME = "onerecord-access decrypt-key";
const USAGE = `usage: ${RUN_CLI} decrypt-key --key delivery.key --out DEVICE.key --cert DEVICE.pem JWE

Opens a device's private key that OneRecord obtained for you (certificate option 2) and posted
encrypted on your request: JWE is the encrypted key from that comment, a file holding it, or -
for standard input. The key is written to --out (a new file, mode 0600) and never printed. It
must be the key of the device's certificate, --cert (from the pull request OneRecord opened): anyone
can encrypt to your public delivery key, so a key that is not your certificate's is refused.

exit codes: 0 written, 1 not openable with this delivery key (or not a key delivery), 2 usage or
a file that cannot be read or written
`;

export interface DecryptKeyIO extends CliIO {
  readStdin?: () => Promise<string>;
}

export async function run(argv: string[], io: DecryptKeyIO): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(argv, (base) =>
      parseArgs({
        ...base,
        options: {
          key: { type: "string" },
          out: { type: "string" },
          cert: { type: "string" },
          help: { type: "boolean", short: "h" },
        },
      }),
    );
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (!values.key) throw new OneRecordError("usage", "--key delivery.key is required");
    if (!values.out) throw new OneRecordError("usage", "--out DEVICE.key is required (the key is never printed)");
    if (!values.cert)
      throw new OneRecordError("usage", "--cert DEVICE.pem is required: the key must be the key of that certificate");
    if (positionals.length !== 1)
      throw new OneRecordError("usage", "give exactly one JWE (the encrypted key, a file, or - for standard input)");
    const deliveryKey = privateKeyOf((await readOptionFile(values.key, "--key")).toString("utf8"), values.key);
    const certificate = await certificateKey(values.cert);
    const jwe = await readTokenArgument(positionals[0]!, {
      what: "JWE",
      looksLikeToken: looksLikeCompactJwe,
      readStdin: io.readStdin ?? (() => readStdin()),
    });
    const opened = await decryptDeviceKey(jwe, deliveryKey, certificate);
    writePrivateFile(values.out, opened.pem);
    const about = opened.device ? ` of device ${JSON.stringify(opened.device).slice(0, 80)}` : "";
    io.stdout(
      `wrote the private key${about} to ${optionSubject("--out", values.out).replace(/^--out /, "")} (mode 0600)\n`,
    );
    return EXIT_OK;
  } catch (error) {
    return reportCommandError(NAME, USAGE, error, io);
  }
}

function privateKeyOf(pem: string, path: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new OneRecordError("usage", `${optionSubject("--key", path)}: holds no private key in PEM`);
  }
}

/** The device certificate's public key: the first certificate of the file (the leaf, as committed). */
async function certificateKey(path: string): Promise<KeyObject> {
  const text = (await readOptionFile(path, "--cert")).toString("utf8");
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  try {
    return new X509Certificate(block ?? "").publicKey;
  } catch {
    throw new OneRecordError("usage", `${optionSubject("--cert", path)}: holds no PEM certificate`);
  }
}
