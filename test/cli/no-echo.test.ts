import { spawnSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommandArgs } from "../../src/cli/args.js";
import { run as decryptToken } from "../../src/cli/commands/decrypt-token.js";
import { run as verifyToken } from "../../src/cli/commands/verify-token.js";
import { OneRecordError } from "../../src/errors.js";
import { isShowableOptionValue } from "../../src/tokens/token-input.js";
import { parseArgs } from "node:util";
import { makeLeaf, makeRoot, validFor } from "../helpers/pki.js";

// Nothing may ever print a key or a token, even in errors (README, "no key material is ever
// printed"; docs/tokens.md on the signing key and the verifier). People paste the contents of a
// file where its path belongs (`--key "$(cat dev.key)"`); every such message must leave it out.

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

function secrets() {
  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = ec.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const rsaPem = rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const jwk = ec.privateKey.export({ format: "jwk" });
  const jwks = JSON.stringify({ keys: [{ ...jwk, kid: "k1", alg: "ES256", use: "sig" }] });
  const input = `${b64url(JSON.stringify({ alg: "ES256", typ: "JWT" }))}.${b64url(JSON.stringify({ sub: "pump-07", jti: "secret-jti" }))}`;
  const jwt = `${input}.${sign("sha256", Buffer.from(input), { key: ec.privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
  const jwe = [
    b64url(JSON.stringify({ alg: "ECDH-ES+A256KW", enc: "A256GCM" })),
    b64url("k".repeat(40)),
    b64url("iv-iv-iv-iv!"),
    b64url("c".repeat(80)),
    b64url("t".repeat(16)),
  ].join(".");
  const publicJwks = JSON.stringify({
    keys: [{ ...ec.publicKey.export({ format: "jwk" }), kid: "k1", alg: "ES256", use: "sig" }],
  });
  return { pem, rsaPem, d: jwk.d!, jwks, publicJwks, jwt, jwe };
}

type Secrets = ReturnType<typeof secrets>;

/** Pieces whose appearance anywhere in the output would mean a secret was printed. */
function fragments(s: Secrets): string[] {
  const body = (pem: string) => pem.split("\n").filter((line) => line && !line.startsWith("-----"));
  return [
    ...body(s.pem).map((line) => line.slice(0, 24)),
    ...body(s.rsaPem)
      .slice(0, 3)
      .map((line) => line.slice(0, 24)),
    s.d,
    s.d.slice(0, 16),
    ...s.jwt.split("."),
    ...s.jwe.split(".").slice(1),
    "-----BEGIN",
  ];
}

interface Captured {
  code: number;
  output: string;
  stdout: string;
}

async function capture(run: typeof decryptToken, argv: string[]): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: async () => "",
  });
  return { code, output: stdout + stderr, stdout };
}

function expectNoSecrets(output: string, s: Secrets): void {
  for (const fragment of fragments(s)) expect(output).not.toContain(fragment);
}

describe("CLI messages never print a key or token given in place of a path", () => {
  let dir: string;
  let s: Secrets;
  const path = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "onerecord-no-echo-"));
    s = secrets();
    // Real files for the options not under test, so each case fails at the value it is about.
    const root = await makeRoot({ name: "CN=No Echo Root", ...validFor(3650) });
    const device = await makeLeaf(root, { cn: "pump-07", ...validFor(730) });
    writeFileSync(path("dev.key"), s.pem);
    writeFileSync(path("pub.jwks"), s.publicJwks);
    writeFileSync(path("device.pem"), device.pem);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe("decrypt-token", () => {
    const cases: [string, (s: Secrets) => string[], number][] = [
      ["a PEM key as --key VALUE (taken for an option)", (x) => ["--key", x.pem, x.jwe], 2],
      ["a PEM key as --key=VALUE", (x) => [`--key=${x.pem}`, x.jwe], 2],
      ["a PKCS#1 RSA key as --key=VALUE", (x) => [`--key=${x.rsaPem}`, x.jwe], 2],
      ["a private JWKS as --key", (x) => ["--key", x.jwks, x.jwe], 2],
      ["a JWT as --key", (x) => ["--key", x.jwt, x.jwe], 2],
      ["a JWE as --key", (x) => ["--key", x.jwe, x.jwe], 2],
      ["a PEM key as the positional (starts with -)", (x) => ["--key", "K", x.pem], 2],
      ["a PEM key as the positional after --", (x) => ["--key", "K", "--", x.pem], 2],
      ["a PEM key as the value of an unknown option", (x) => [`--kee=${x.pem}`, x.jwe], 2],
      ["a JWT as a short option cluster", (x) => [`-${x.jwt}`, x.jwe], 2],
    ];

    it.each(cases)("%s", async (_, argv, code) => {
      const out = await capture(
        decryptToken,
        argv(s).map((a) => (a === "K" ? path("dev.key") : a)),
      );
      expect(out.code).toBe(code);
      expect(out.stdout).toBe("");
      expectNoSecrets(out.output, s);
    });

    it("says what went wrong without the value", async () => {
      const inline = await capture(decryptToken, [`--key=${s.pem}`, s.jwe]);
      expect(inline.output).toMatch(
        /the --key value \(not shown: it does not look like a file path\): no such file; --key takes the path of a file, not its contents/,
      );
      const separate = await capture(decryptToken, ["--key", s.pem, s.jwe]);
      expect(separate.output).toMatch(/the value after --key starts with "-" and was taken for an option/);
      const positional = await capture(decryptToken, ["--key", path("dev.key"), s.pem]);
      expect(positional.output).toMatch(/unknown option \(not shown: it does not look like an option name\)/);
    });

    it('says a JWE header names no enc, rather than "undefined"', async () => {
      const header = b64url(JSON.stringify({ alg: "ECDH-ES+A256KW" }));
      const out = await capture(decryptToken, [
        "--key",
        path("dev.key"),
        [header, ...s.jwe.split(".").slice(1)].join("."),
      ]);
      expect(out.code).toBe(1);
      expect(out.output).toMatch(/the JWE header names alg "ECDH-ES\+A256KW" and no enc; OneRecord tokens use/);
      expect(out.output).not.toContain("undefined");
    });

    it("still names a plain path and a plain unknown option", async () => {
      const missing = await capture(decryptToken, ["--key", path("missing.key"), s.jwe]);
      expect(missing.output).toContain(`--key ${path("missing.key")}: no such file`);
      expect((await capture(decryptToken, ["--kee", "x", "y"])).output).toMatch(/unknown option --kee\b/);
      expect((await capture(decryptToken, ["--key"])).output).toMatch(/--key needs a value/);
      expect((await capture(decryptToken, ["--help=yes"])).output).toMatch(/--help does not take a value/);
    });
  });

  describe("verify-token", () => {
    const cases: [string, (s: Secrets) => string[], number][] = [
      ["a private JWKS as --jwks", (x) => ["--jwks", x.jwks, "--cert", "C", x.jwt], 2],
      ["a PEM key as --jwks VALUE", (x) => ["--jwks", x.pem, "--cert", "C", x.jwt], 2],
      ["a PEM key as --jwks=VALUE", (x) => [`--jwks=${x.pem}`, "--cert", "C", x.jwt], 2],
      ["a JWT as --cert", (x) => ["--jwks", "J", "--cert", x.jwt, x.jwt], 2],
      ["a JWE as --cert", (x) => ["--jwks", "J", "--cert", x.jwe, x.jwt], 2],
      ["a PEM key as --cert=VALUE", (x) => ["--jwks", "J", `--cert=${x.pem}`, x.jwt], 2],
      ["a PEM key as --cert VALUE", (x) => ["--jwks", "J", "--cert", x.pem, x.jwt], 2],
      ["a private JWKS as --cert", (x) => ["--jwks", "J", "--cert", x.jwks, x.jwt], 2],
      ["a PEM key as --config=VALUE", (x) => [`--config=${x.pem}`, "--jwks", "J", "--cert", "C", x.jwt], 2],
      ["a JWT as --at", (x) => ["--jwks", "J", "--cert", "C", "--at", x.jwt, x.jwt], 2],
      ["a JWT as --issuer", (x) => ["--jwks", "J", "--cert", "C", "--issuer", x.jwt, x.jwt], 2],
      ["a private JWKS as --audience", (x) => ["--jwks", "J", "--cert", "C", "--audience", x.jwks, x.jwt], 2],
      ["a PEM key as the positional (starts with -)", (x) => ["--jwks", "J", "--cert", "C", x.pem], 2],
      ["a PEM key as the positional after --", (x) => ["--jwks", "J", "--cert", "C", "--", x.pem], 2],
    ];

    it.each(cases)("%s", async (_, argv, code) => {
      const out = await capture(
        verifyToken,
        argv(s).map((a) => ({ J: path("pub.jwks"), C: path("device.pem") })[a] ?? a),
      );
      expect(out.code).toBe(code);
      expectNoSecrets(out.output, s);
    });

    it("says what went wrong without the value", async () => {
      const jwks = await capture(verifyToken, ["--jwks", s.jwks, "--cert", path("device.pem"), s.jwt]);
      expect(jwks.output).toMatch(
        /the --jwks value \(not shown: it does not look like a file path\): no such file; --jwks takes the path of a file, not its contents/,
      );
      const cert = await capture(verifyToken, ["--jwks", path("pub.jwks"), "--cert", s.jwt, s.jwt]);
      expect(cert.output).toMatch(/the --cert value \(not shown: it does not look like a file path\): no such file/);
      const at = await capture(verifyToken, [
        "--jwks",
        path("pub.jwks"),
        "--cert",
        path("device.pem"),
        "--at",
        s.jwt,
        s.jwt,
      ]);
      expect(at.output).toMatch(/--at must be an ISO-8601 time such as 2026-01-31T12:00:00Z\n/);
      expect((await capture(verifyToken, ["--jwks", "J", "--cert", "C", "--at", "tomorrow", "T"])).output).toMatch(
        /not "tomorrow"/,
      );
      // The calendar is checked: February 30 does not roll over into March.
      const feb30 = await capture(verifyToken, ["--jwks", "J", "--cert", "C", "--at", "2026-02-30T00:00:00Z", "T"]);
      expect(feb30.code).toBe(2);
      expect(feb30.output).toMatch(/not "2026-02-30T00:00:00Z"/);
    });
  });

  describe("through the real entry point", () => {
    // What customers run: bin/ runs the committed bundle (check-dist keeps it the build of src/).
    const node = (args: string[]) =>
      spawnSync(process.execPath, ["bin/onerecord-access.js", ...args], {
        cwd: repo,
        encoding: "utf8",
        timeout: 60_000,
      });

    it('decrypt-token --key "$(cat dev.key)" and verify-token --jwks "$(cat priv.jwks)" print neither', () => {
      for (const [args, status] of [
        [["decrypt-token", `--key=${s.pem}`, s.jwe], 2],
        [["decrypt-token", "--key", path("dev.key"), s.pem], 2],
        [["verify-token", "--jwks", s.jwks, "--cert", path("device.pem"), s.jwt], 2],
        [["verify-token", "--jwks", path("pub.jwks"), "--cert", s.jwt, s.jwt], 2],
        [["verify-token", "--jwks", path("pub.jwks"), "--cert", path("device.pem"), s.pem], 2],
        [["validate", `--trust=${s.pem}`, path("device.pem")], 2],
        [["validate", "--config", s.jwks, path("device.pem")], 2],
        [[s.pem], 2],
        [[s.jwt], 2],
      ] as const) {
        const result = node([...args]);
        expect(result.status).toBe(status);
        expect(result.stderr).not.toMatch(/\n\s+at .+[(:]\d+/); // no stack trace
        expectNoSecrets(result.stdout + result.stderr, s);
      }
    });
  });
});

describe("isShowableOptionValue", () => {
  it.each([
    "dev.key",
    "./keys/pump-07.key",
    "/home/me/onerecord/devices/pump-07/device.pem",
    "C:\\keys\\dev.key",
    "tokens.jwks",
  ])("shows the path %s", (value) => {
    expect(isShowableOptionValue(value)).toBe(true);
  });

  it("hides key, JWKS and token shapes, long values and control characters", () => {
    const s = secrets();
    for (const value of [
      s.pem,
      s.rsaPem,
      s.jwks,
      s.jwt,
      s.jwe,
      s.d,
      s.jwt.split(".")[0]!,
      `${s.jwt.split(".")[0]}.${s.jwt.split(".")[1]}`,
      "a".repeat(201),
      "dev.key\n",
      "dev\u001b[2J.key",
      "dev\u202e.key",
      "",
    ]) {
      expect(isShowableOptionValue(value)).toBe(false);
    }
  });
});

describe("parseCommandArgs", () => {
  const parse = (argv: string[]) =>
    parseCommandArgs(argv, (base) => parseArgs({ ...base, options: { key: { type: "string" } } }));
  const messageOf = (argv: string[]) => {
    try {
      parse(argv);
    } catch (error) {
      expect(error).toBeInstanceOf(OneRecordError);
      expect((error as OneRecordError).code).toBe("usage");
      return (error as Error).message;
    }
    throw new Error("expected a usage error");
  };

  it("names a plain unknown option but never an argument shaped like anything else", () => {
    expect(messageOf(["--frobnicate"])).toBe("unknown option --frobnicate");
    expect(messageOf(["-x"])).toBe("unknown option -x");
    for (const argv of [
      ["-----BEGIN PRIVATE KEY-----\nMIIE"],
      [`--${"a".repeat(60)}`],
      ["--it's"],
      ["--a'. To specify x"],
    ]) {
      expect(messageOf(argv)).toMatch(/^unknown option \(not shown/);
    }
  });
});
