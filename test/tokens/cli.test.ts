import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as decryptToken } from "../../src/cli/commands/decrypt-token.js";
import { run as verifyToken } from "../../src/cli/commands/verify-token.js";
import { defaultConfig } from "../../src/config/parse.js";
import { issueDeviceToken, loadSigningKey, type SigningKey } from "../../src/tokens/index.js";
import { makeLeaf, makeRoot, signingSecret, validFor, type Issued } from "../helpers/pki.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { issuer: ISSUER, audience: AUDIENCE } = defaultConfig().tokens;

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function capture(run: typeof decryptToken, argv: string[], stdin?: string): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readStdin: async () => stdin ?? "",
  });
  return { code, stdout, stderr };
}

describe("CLI: decrypt-token and verify-token", () => {
  let dir: string;
  let root: Issued;
  let device: Issued;
  let other: Issued;
  let key: SigningKey;
  let jwe: string;
  let jwt: string;
  const path = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "onerecord-tokens-cli-"));
    root = await makeRoot({ name: "CN=Token Test Root", ...validFor(3650) });
    device = await makeLeaf(root, { cn: "pump-07", ...validFor(730) });
    other = await makeLeaf(root, { cn: "pump-08", keyAlg: "rsa-2048", ...validFor(730) });
    key = await loadSigningKey(signingSecret("ES256").pem);
    ({ jwe } = await issueDeviceToken({
      key,
      certificate: device.pem,
      device: "pump-07",
      account: "acme-health",
      issuer: ISSUER,
      audience: AUDIENCE,
      lifetimeDays: 30,
      newJti: () => "jti-cli-1",
    }));
    writeFileSync(path("device.key"), device.keyPem);
    writeFileSync(path("device.pem"), device.pem + root.pem); // leaf first, chain after, as committed
    writeFileSync(path("other.key"), other.keyPem);
    writeFileSync(path("other.pem"), other.pem);
    writeFileSync(path("jwks.json"), JSON.stringify(key.jwks));
    writeFileSync(path("token.jwe"), `${jwe}\n`);
    writeFileSync(
      path("private-jwks.json"),
      JSON.stringify({ keys: [{ ...key.publicJwk, d: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }] }),
    );
    writeFileSync(path("cert-with-key.pem"), device.pem + device.keyPem);
    writeFileSync(path("custom.yml"), "tokens:\n  issuer: https://issuer.example/custom\n");
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe("decrypt-token", () => {
    it("prints the JWT for a JWE given as an argument", async () => {
      const out = await capture(decryptToken, ["--key", path("device.key"), jwe]);
      expect(out).toMatchObject({ code: 0, stderr: "" });
      jwt = out.stdout.trim();
      expect(jwt.split(".")).toHaveLength(3);
      expect(out.stdout).toBe(`${jwt}\n`);
    });

    it("reads the JWE from a file or standard input", async () => {
      expect(await capture(decryptToken, ["--key", path("device.key"), path("token.jwe")])).toEqual({
        code: 0,
        stdout: `${jwt}\n`,
        stderr: "",
      });
      expect(await capture(decryptToken, ["--key", path("device.key"), "-"], `${jwe}\n`)).toEqual({
        code: 0,
        stdout: `${jwt}\n`,
        stderr: "",
      });
    });

    it("fails with another device's key, clearly and without printing the token", async () => {
      const out = await capture(decryptToken, ["--key", path("other.key"), jwe]);
      expect(out.code).toBe(1);
      expect(out.stdout).toBe("");
      expect(out.stderr).toMatch(/encrypted to an EC key but this key is RSA 2048-bit: is it the right device's key\?/);
      expect(out.stderr).not.toContain(jwe.split(".")[3]);
    });

    it.each([
      ["no --key", [] as string[], /--key DEVICE.key is required/],
      ["no JWE", ["--key", "K"], /exactly one JWE/],
      ["two JWEs", ["--key", "K", "a", "b"], /exactly one JWE/],
      ["an unknown option", ["--kee", "K", "x"], /unknown option --kee/],
    ])("exits 2 on usage errors: %s", async (_, argv, message) => {
      const out = await capture(
        decryptToken,
        argv.map((a) => (a === "K" ? path("device.key") : a)),
      );
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(message);
      expect(out.stdout).toBe("");
    });

    it("never quotes a token-like argument it cannot use", async () => {
      const broken = jwe.slice(0, -10).replace(/\./g, "");
      const out = await capture(decryptToken, ["--key", path("device.key"), broken]);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/neither a compact JWE/);
      expect(out.stderr).not.toContain(broken.slice(0, 20));
    });

    it("says when it is given the already-decrypted JWT", async () => {
      const out = await capture(decryptToken, ["--key", path("device.key"), jwt]);
      expect(out).toMatchObject({ code: 1, stdout: "" });
      expect(out.stderr).toMatch(/signed JWT .* needs no decryption/);
      expect(out.stderr).not.toContain(jwt.split(".")[2]);
    });

    it("exits 2, as every command does, for an unreadable key file or a certificate given as the key", async () => {
      const missing = await capture(decryptToken, ["--key", path("nope.key"), jwe]);
      expect(missing).toMatchObject({ code: 2, stdout: "" });
      expect(missing.stderr).toMatch(/--key .*nope\.key: no such file/);
      const cert = await capture(decryptToken, ["--key", path("device.pem"), jwe]);
      expect(cert).toMatchObject({ code: 2, stdout: "" });
      expect(cert.stderr).toMatch(/not a PEM private key/);
    });

    it("prints usage with --help", async () => {
      const out = await capture(decryptToken, ["--help"]);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/usage: node cli\/dist\/onerecord-access\.js decrypt-token --key DEVICE.key JWE/);
    });
  });

  describe("verify-token", () => {
    const base = () => ["--jwks", path("jwks.json"), "--cert", path("device.pem")];

    it("exits 0 and prints the verdict and claims summary, not the token", async () => {
      const out = await capture(verifyToken, [...base(), jwt]);
      expect(out.code).toBe(0);
      expect(out.stderr).toBe("");
      expect(out.stdout).toMatch(/^verified: signature, claims and certificate binding \(x5t#S256\) match/);
      expect(out.stdout).toMatch(/sub\s+pump-07/);
      expect(out.stdout).toMatch(/account\s+acme-health/);
      expect(out.stdout).toMatch(/exp\s+\d{4}-\d{2}-\d{2}T/);
      expect(out.stdout).toMatch(/jti\s+jti-cli-1/);
      for (const part of jwt.split(".")) expect(out.stdout).not.toContain(part);
    });

    it("reads the token from a file or standard input", async () => {
      writeFileSync(path("token.jwt"), jwt);
      expect((await capture(verifyToken, [...base(), path("token.jwt")])).code).toBe(0);
      expect((await capture(verifyToken, [...base(), "-"], `${jwt}\n`)).code).toBe(0);
    });

    it("prints JSON with --json", async () => {
      const out = await capture(verifyToken, [...base(), "--json", jwt]);
      expect(out.code).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({
        ok: true,
        issuer: ISSUER,
        audience: AUDIENCE,
        claims: { sub: "pump-07", account: "acme-health", jti: "jti-cli-1" },
      });
    });

    it("exits 1 when the certificate is another device's", async () => {
      const out = await capture(verifyToken, ["--jwks", path("jwks.json"), "--cert", path("other.pem"), jwt]);
      expect(out.code).toBe(1);
      expect(out.stdout).toMatch(/^rejected \(thumbprint-mismatch\)/);
      expect(out.stdout).not.toContain("jti-cli-1");
    });

    it("checks the issuer and audience: flags, then --config, then the defaults", async () => {
      expect((await capture(verifyToken, [...base(), "--issuer", ISSUER, "--audience", AUDIENCE, jwt])).code).toBe(0);
      const wrongAud = await capture(verifyToken, [...base(), "--audience", "https://other.example", jwt]);
      expect(wrongAud.code).toBe(1);
      expect(wrongAud.stdout).toMatch(/rejected \(bad-claims\).*aud/);
      const custom = await capture(verifyToken, [...base(), "--config", path("custom.yml"), jwt]);
      expect(custom.code).toBe(1);
      expect(custom.stdout).toMatch(/rejected \(bad-claims\).*iss/);
    });

    it("exits 1 for an expired token (--at)", async () => {
      const out = await capture(verifyToken, [...base(), "--at", "2099-01-01T00:00:00Z", jwt]);
      expect(out.code).toBe(1);
      expect(out.stdout).toMatch(/rejected \(bad-claims\): the token has expired/);
    });

    it("points to decrypt-token when given the JWE", async () => {
      const out = await capture(verifyToken, [...base(), jwe]);
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/decrypt it first with node cli\/dist\/onerecord-access\.js decrypt-token/);
    });

    it("refuses a JWKS with private members and a certificate file holding a key", async () => {
      const jwks = await capture(verifyToken, ["--jwks", path("private-jwks.json"), "--cert", path("device.pem"), jwt]);
      expect(jwks.code).toBe(2);
      expect(jwks.stderr).toMatch(
        /--jwks .*private-jwks\.json: this is a private key \(JWK with private members\); pass the public JWKS \(node cli\/dist\/onerecord-access\.js jwks --key FILE prints it\)/,
      );
      const cert = await capture(verifyToken, ["--jwks", path("jwks.json"), "--cert", path("cert-with-key.pem"), jwt]);
      expect(cert.code).toBe(2);
      expect(cert.stderr).toMatch(
        /--cert .*cert-with-key\.pem: this is a private key \(.*\); pass the device certificate/,
      );
      expect(cert.stderr).not.toContain(device.keyPem.split("\n")[1]);
    });

    it.each([
      ["no --jwks", ["--cert", "C", "T"], /--jwks JWKS.json is required/],
      ["no --cert", ["--jwks", "J", "T"], /--cert DEVICE.pem is required/],
      ["no token", ["--jwks", "J", "--cert", "C"], /exactly one TOKEN/],
      ["a bad --at", ["--jwks", "J", "--cert", "C", "--at", "tomorrow", "T"], /--at must be an ISO-8601 time/],
    ])("exits 2 on usage errors: %s", async (_, argv, message) => {
      const out = await capture(
        verifyToken,
        argv.map((a) => ({ J: path("jwks.json"), C: path("device.pem"), T: jwt })[a] ?? a),
      );
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(message);
    });
  });

  describe("through the real entry point", () => {
    it("decrypts with the device key and verifies the result from standard input", () => {
      const node = (args: string[], input?: string) =>
        spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
          cwd: repo,
          encoding: "utf8",
          input,
          timeout: 60_000,
        });
      const decrypted = node(["decrypt-token", "--key", path("device.key"), path("token.jwe")]);
      expect(decrypted.stderr).toBe("");
      expect(decrypted.status).toBe(0);
      expect(decrypted.stdout).toBe(`${jwt}\n`);

      const verified = node(
        ["verify-token", "--jwks", path("jwks.json"), "--cert", path("device.pem"), "-"],
        decrypted.stdout,
      );
      expect(verified.status).toBe(0);
      expect(verified.stdout).toMatch(/^verified:/);
      expect(verified.stdout).not.toContain(jwt);
      expect(verified.stderr).toBe("");

      const refused = node(
        ["verify-token", "--jwks", path("jwks.json"), "--cert", path("other.pem"), "-"],
        decrypted.stdout,
      );
      expect(refused.status).toBe(1);
      expect(refused.stdout).toMatch(/thumbprint-mismatch/);
    });
  });
});
