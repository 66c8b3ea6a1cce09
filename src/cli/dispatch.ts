import { OneRecordError } from "../errors.js";
import { EXIT_USAGE, exitCodeFor, type CliIO, type Command } from "./io.js";
import { RUN_CLI } from "./program.js";
import { VERSION } from "./version.js";

const USAGE = `usage: ${RUN_CLI} <command> [options]     (${RUN_CLI} <command> --help for more)

Run it from the root of a clone of the requests repository: it needs nothing but Node.js.

commands:
  validate [--json] [--at ISO-8601] [--trust ROOT.pem]... [--warn-days N] [--config FILE] PATH...
      check device certificates (files, folders, or - for standard input) against the approved CAs
  roots [--json] [--brand NAME]
      list the approved CA roots: brand, purpose, expiry, SHA-256, whether the file must carry it
  delivery-key --out delivery.key
      make the key pair OneRecord encrypts your device keys to (certificate option 2)
  decrypt-key --key delivery.key --out DEVICE.key --cert DEVICE.pem JWE
      open a device key OneRecord obtained for you (option 2); written with mode 0600, never printed
  decrypt-token --key DEVICE.key JWE
      decrypt a delivered token with the device's private key
  verify-token --jwks JWKS.json --cert DEVICE.pem TOKEN
      verify a token's signature, claims and certificate binding
  record-jwks [--key FILE]
      print the public JWKS of the app's record signing key (RECORD_SIGNING_KEY) for records.jwks
  jwks --key SIGNING.key...
      print the public JWKS of a signing key (for tokens.jwks in the configuration)
  audit --repo OWNER/NAME [--request N] [--since DATE] [--format json|csv|html] [--out FILE] [--app APP[bot]]
      verify every signed version of every request and export one row per event (GITHUB_TOKEN)
  audit verify EXPORT.json --jwks record-jwks.json
      re-check a JSON export offline: an edited export fails with the place it was changed
  report --repo OWNER/NAME [--format html|md|json] [--out FILE] [--days N]
      every request: stage, who it waits on and since when, what ends or is due soon (GITHUB_TOKEN)

  --version   print the version
  --help      this help
`;

// Commands load lazily so `validate` does not pay for the JOSE code and vice versa.
const COMMANDS: Record<string, () => Promise<Command>> = {
  validate: async () => (await import("./validate.js")).run,
  roots: async () => (await import("./commands/roots.js")).run,
  "decrypt-token": async () => (await import("./commands/decrypt-token.js")).run,
  "delivery-key": async () => (await import("./commands/delivery-key.js")).run,
  "decrypt-key": async () => (await import("./commands/decrypt-key.js")).run,
  "verify-token": async () => (await import("./commands/verify-token.js")).run,
  "record-jwks": async () => (await import("./commands/record-jwks.js")).run,
  jwks: async () => (await import("./commands/jwks.js")).run,
  audit: async () => (await import("./commands/audit.js")).run,
  report: async () => (await import("./commands/report.js")).run,
};

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout(`onerecord-access ${VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    const shown = /^[A-Za-z0-9-]{1,40}$/.test(name) ? ` "${name}"` : " (not shown)";
    io.stderr(`onerecord-access: unknown command${shown}\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (error) {
    // Expected failures carry a code and a safe message; anything else is reported without a
    // stack trace (which could quote input) and still exits non-zero.
    if (error instanceof OneRecordError) {
      io.stderr(`onerecord-access ${name}: ${error.message}\n`);
      return exitCodeFor(error);
    }
    io.stderr(`onerecord-access ${name}: unexpected error: ${error instanceof Error ? error.name : "unknown"}\n`);
    return 1;
  }
}
