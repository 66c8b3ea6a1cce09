import { parseValidationTime } from "../../certificates/time.js";
import { displaySafe } from "../../certificates/index.js";
import { decodeCertificateFile } from "../../certificates/decode.js";
import { defaultConfig } from "../../config/parse.js";
import { OneRecordError } from "../../errors.js";
import {
  looksLikeCompactJwe,
  looksLikeCompactJws,
  parseJwksText,
  verifyDeviceToken,
  x5tS256,
  type VerifyResult,
} from "../../tokens/index.js";
import {
  isShowableOptionValue,
  optionSubject,
  readOptionFile,
  readStdin,
  readTokenArgument,
} from "../../tokens/token-input.js";
import { parseArgs } from "node:util";
import { parseCommandArgs } from "../args.js";
import { parseConfigOption } from "../config-option.js";
import { refuseKeyMaterial } from "../option-file.js";
import { statusListOption } from "../status-list-option.js";
import { EXIT_INVALID, EXIT_OK, reportCommandError, type CliIO } from "../io.js";
import { RUN_CLI } from "../program.js";

const NAME = "onerecord-access verify-token";
const USAGE = `usage: ${RUN_CLI} verify-token --jwks JWKS.json --cert DEVICE.pem [--issuer ISS] [--audience AUD]
       [--status-list FILE|URL [--records-jwks FILE]] [--config FILE] [--at ISO-8601] [--json] TOKEN

Verifies a device JWT as the OneRecord API does: the signature under a key of the published
JWKS, the claims (issuer, audience, expiry, not-before, required claims) and the binding
cnf["x5t#S256"] to the device certificate. TOKEN is the JWT, a file holding it, or - for
standard input. Issuer and audience default to the configuration (--config) or its defaults.

With --status-list, the token's status is checked too (draft-ietf-oauth-status-list): the
Status List Token from a file or an http(s) URL, verified with --records-jwks (or records.jwks
in --config); a revoked or suspended token, a list that is tampered, expired or for another
URI, and an index outside the list are rejected with a stable code.

exit codes: 0 everything matches, 1 rejected (or an unreadable TOKEN), 2 usage, or an option
file (--jwks, --cert, --config, --records-jwks, --status-list) that cannot be read or holds
the wrong thing
`;

export interface VerifyTokenIO extends CliIO {
  readStdin?: () => Promise<string>;
}

/** Prints the verdict and a claims summary, never the token. */
export async function run(argv: string[], io: VerifyTokenIO): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (!values.jwks) throw new OneRecordError("usage", "--jwks JWKS.json is required");
    if (!values.cert) throw new OneRecordError("usage", "--cert DEVICE.pem is required");
    if (positionals.length !== 1)
      throw new OneRecordError("usage", "give exactly one TOKEN (the JWT, a file, or - for standard input)");
    const at = values.at === undefined ? undefined : parseTime(values.at);
    // Both are echoed in the verdict, so a token pasted into them would be printed.
    for (const option of ["issuer", "audience"] as const) {
      const value = values[option];
      if (value !== undefined && !isShowableOptionValue(value))
        throw new OneRecordError(
          "usage",
          `--${option} (value not shown) does not look like an ${option}: it is too long, spans lines, or has the shape of a key or token`,
        );
    }

    const config = values.config
      ? parseConfigOption((await readOptionFile(values.config, "--config")).toString("utf8"), values.config)
      : defaultConfig();
    const issuer = values.issuer ?? config.tokens.issuer;
    const audience = values.audience ?? config.tokens.audience;
    const jwksBytes = await readOptionFile(values.jwks, "--jwks");
    refuseKeyMaterial(jwksBytes, "--jwks", values.jwks, `public JWKS (${RUN_CLI} jwks --key FILE prints it)`);
    const jwks = asOptionError(() => parseJwksText(jwksBytes.toString("utf8")), "--jwks", values.jwks);
    const certificate = readCertificate(await readOptionFile(values.cert, "--cert"), values.cert);
    const status = await statusListOption(values["status-list"], values["records-jwks"], config);
    const token = await readTokenArgument(positionals[0]!, {
      what: "JWT",
      looksLikeToken: (text) => looksLikeCompactJws(text) || looksLikeCompactJwe(text),
      readStdin: io.readStdin ?? (() => readStdin()),
    });
    if (looksLikeCompactJwe(token)) {
      throw new OneRecordError(
        "input-invalid",
        `this is the encrypted delivery (a JWE); decrypt it first with ${RUN_CLI} decrypt-token --key DEVICE.key`,
      );
    }

    const result = await verifyDeviceToken(token, {
      jwks,
      issuer,
      audience,
      peerCertificate: certificate,
      ...(at ? { now: at } : {}),
      ...status,
    });
    io.stdout(
      values.json
        ? `${JSON.stringify(asJson(result, issuer, audience, x5tS256(certificate)), null, 2)}\n`
        : render(result, issuer, audience, x5tS256(certificate), status.statusList !== undefined),
    );
    return result.ok ? EXIT_OK : EXIT_INVALID;
  } catch (error) {
    return reportCommandError(NAME, USAGE, error, io);
  }
}

function parse(argv: string[]) {
  return parseCommandArgs(argv, (base) =>
    parseArgs({
      ...base,
      options: {
        jwks: { type: "string" },
        cert: { type: "string" },
        issuer: { type: "string" },
        audience: { type: "string" },
        config: { type: "string" },
        at: { type: "string" },
        "status-list": { type: "string" },
        "records-jwks": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
    }),
  );
}

function parseTime(value: string): Date {
  // The same calendar-checked parser as `validate --at`: Date.parse alone accepts "1" or 2026-02-30.
  const at = parseValidationTime(value);
  if (!at) {
    // Echoed only when short and plain: a value pasted into the wrong option may be a token.
    const given = isShowableOptionValue(value, 40) ? `, not "${value}"` : "";
    throw new OneRecordError("usage", `--at must be an ISO-8601 time such as 2026-01-31T12:00:00Z${given}`);
  }
  return at;
}

/** The device certificate file as committed (PEM, leaf first, or DER); key material is refused. */
function readCertificate(bytes: Uint8Array, path: string): Uint8Array {
  refuseKeyMaterial(bytes, "--cert", path, "device certificate (DEVICE.pem)");
  const decoded = decodeCertificateFile(bytes);
  const leaf = decoded.certificates[0];
  if (decoded.errors.length > 0 || !leaf) {
    throw new OneRecordError(
      "usage",
      `${optionSubject("--cert", path)}: ${decoded.errors[0]?.message ?? "no certificate found"}`,
    );
  }
  return leaf;
}

/** An option file that holds the wrong thing stops the command like an unreadable one: exit 2. */
function asOptionError<T>(read: () => T, option: string, path: string): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof OneRecordError)) throw error;
    throw new OneRecordError("usage", `${optionSubject(option, path)}: ${error.message}`);
  }
}

function summary(result: Extract<VerifyResult, { ok: true }>) {
  const { claims } = result;
  return {
    sub: claims.sub,
    account: displaySafe(claims.account),
    exp: new Date(claims.exp * 1000).toISOString(),
    jti: displaySafe(claims.jti),
    ...(claims.status
      ? { status: { idx: claims.status.status_list.idx, uri: displaySafe(claims.status.status_list.uri) } }
      : {}),
  };
}

/** The status line: what the list said, or why it was not asked. */
function statusLine(status: { idx: number; uri: string } | undefined, checked: boolean): string[] {
  if (!status) return checked ? ["  status    none: the token carries no status claim"] : [];
  const where = `index ${status.idx} of ${status.uri}`;
  return [`  status    ${checked ? "VALID" : "not checked (no --status-list)"}, ${where}`];
}

function render(result: VerifyResult, issuer: string, audience: string, thumbprint: string, checked: boolean): string {
  if (!result.ok) {
    return `rejected (${result.code}): ${displaySafe(result.reason)}\n  checked against issuer ${displaySafe(issuer)}, audience ${displaySafe(audience)}, certificate x5t#S256 ${thumbprint}\n`;
  }
  const s = summary(result);
  return [
    "verified: signature, claims and certificate binding (x5t#S256) match",
    `  sub       ${s.sub}`,
    `  account   ${s.account}`,
    `  exp       ${s.exp}`,
    `  jti       ${s.jti}`,
    ...statusLine(s.status, checked),
    `  issuer    ${displaySafe(issuer)}`,
    `  audience  ${displaySafe(audience)}`,
    `  x5t#S256  ${thumbprint}`,
    "",
  ].join("\n");
}

function asJson(result: VerifyResult, issuer: string, audience: string, thumbprint: string) {
  const checked = { issuer, audience, x5tS256: thumbprint };
  return result.ok
    ? { ok: true, ...checked, claims: summary(result) }
    : { ok: false, code: result.code, reason: result.reason, ...checked };
}
