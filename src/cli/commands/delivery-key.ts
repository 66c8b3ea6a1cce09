import { parseArgs } from "node:util";
import { makeDeliveryKeyPair } from "../../delivery/key-pair.js";
import { OneRecordError } from "../../errors.js";
import { parseCommandArgs } from "../args.js";
import { EXIT_OK, reportCommandError, type CliIO } from "../io.js";
import { writePrivateFile } from "../private-file.js";
import { RUN_CLI } from "../program.js";

const NAME = "onerecord-access delivery-key";
const USAGE = `usage: ${RUN_CLI} delivery-key --out delivery.key

Makes the key pair OneRecord encrypts your devices' private keys to when it obtains their
certificates for you (certificate option 2). The private key goes to --out (a new file, mode
0600: keep it, you need it to open the keys); the public key is printed as one line of JSON:
paste it into the request form's "Delivery public key" field.

exit codes: 0 made, 2 usage or a file that cannot be written (an existing file is never replaced)
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(argv, (base) =>
      parseArgs({ ...base, options: { out: { type: "string" }, help: { type: "boolean", short: "h" } } }),
    );
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (!values.out) throw new OneRecordError("usage", "--out FILE is required (where the private key goes)");
    if (positionals.length) throw new OneRecordError("usage", "delivery-key takes no arguments");
    const pair = await makeDeliveryKeyPair();
    writePrivateFile(values.out, pair.privatePem);
    io.stdout(`${JSON.stringify(pair.publicJwk)}\n`);
    return EXIT_OK;
  } catch (error) {
    return reportCommandError(NAME, USAGE, error, io);
  }
}
