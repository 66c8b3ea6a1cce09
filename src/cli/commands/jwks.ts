import { parseArgs } from "node:util";
import { OneRecordError } from "../../errors.js";
import { parseJwks } from "../../tokens/jwks.js";
import { loadSigningKey, type PublicSigningJwk } from "../../tokens/signing-key.js";
import { optionSubject, readOptionFile } from "../../tokens/token-input.js";
import { parseCommandArgs } from "../args.js";
import { EXIT_OK, reportCommandError, type CliIO } from "../io.js";
import { RUN_CLI } from "../program.js";

const NAME = "onerecord-access jwks";
const USAGE = `usage: ${RUN_CLI} jwks --key SIGNING.key [--key NEXT.key]...

Prints the public JWKS (RFC 7517) of the token signing key — what \`tokens.jwks\` in
.github/onerecord-access.yml holds — so the configuration can be set before the first token run.
SIGNING.key is the key as stored in the environment secret: PEM (PKCS#8; PKCS#1 and SEC1 are read
too) or a private JWK. Give --key again to publish several keys during a rotation. Only public
members are printed (kty, crv, x, y, n, e, with kid, alg and use): never a private one.

exit codes: 0 printed, 2 usage or a key file that cannot be read or is not a signing key
`;

/** `onerecord-access jwks --key FILE`: the public half of signing keys, as a JWKS. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(argv, (base) =>
      parseArgs({
        ...base,
        options: { key: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
      }),
    );
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    const files = values.key ?? [];
    if (files.length === 0) throw new OneRecordError("usage", "--key SIGNING.key is required");
    if (positionals.length > 0) throw new OneRecordError("usage", "unexpected argument: give the key with --key FILE");

    const keys = new Map<string, PublicSigningJwk>();
    for (const file of files) {
      const jwk = await publicJwkOf(file);
      keys.set(jwk.kid, jwk);
    }
    // The same check verification applies to a published set: a last guard against a private member.
    const jwks = parseJwks({ keys: [...keys.values()] });
    io.stdout(`${JSON.stringify(jwks, null, 2)}\n`);
    return EXIT_OK;
  } catch (error) {
    return reportCommandError(NAME, USAGE, error, io);
  }
}

async function publicJwkOf(file: string): Promise<PublicSigningJwk> {
  const text = (await readOptionFile(file, "--key")).toString("utf8");
  try {
    return (await loadSigningKey(text)).publicJwk;
  } catch (error) {
    // loadSigningKey's messages describe the key, never its material.
    const why = error instanceof OneRecordError ? error.message : "not a signing key";
    throw new OneRecordError("usage", `${optionSubject("--key", file)}: ${why}`);
  }
}
