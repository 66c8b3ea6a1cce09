import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as jwks } from "../../src/cli/commands/jwks.js";
import { defaultConfig } from "../../src/config/parse.js";
import {
  decryptDeviceToken,
  issueDeviceToken,
  loadDevicePrivateKey,
  loadSigningKey,
  verifyDeviceToken,
} from "../../src/tokens/index.js";
import { makeLeaf, makeRoot, signingSecret, validFor, type Issued } from "../helpers/pki.js";

/** `onerecord-access jwks --key FILE`: the operator sets tokens.jwks before the first token run. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];
let dir: string;
const path = (name: string) => join(dir, name);

async function capture(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await jwks(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

let device: Issued;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cli-jwks-"));
  device = await makeLeaf(await makeRoot({ cn: "JWKS Root", ...validFor(3650) }), { cn: "pump-07", ...validFor(365) });
  writeFileSync(path("device.pem"), device.pem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("jwks --key", () => {
  it.each(["ES256", "RS256", "EdDSA"] as const)(
    "prints the public JWKS of a %s key, PEM or JWK: public members only, and tokens verify under it",
    async (alg) => {
      const secret = signingSecret(alg);
      writeFileSync(path(`${alg}.pem`), secret.pem);
      writeFileSync(path(`${alg}.jwk`), secret.jwk);
      const key = await loadSigningKey(secret.pem);

      for (const file of [`${alg}.pem`, `${alg}.jwk`]) {
        const out = await capture(["--key", path(file)]);
        expect(out).toMatchObject({ code: 0, stderr: "" });
        const printed = JSON.parse(out.stdout) as { keys: Array<Record<string, unknown>> };
        expect(printed).toEqual(key.jwks);
        expect(printed.keys[0]).toMatchObject({ kid: key.kid, alg, use: "sig" });
        for (const member of PRIVATE_MEMBERS) expect(printed.keys[0], member).not.toHaveProperty(member);
        const privateJwk = JSON.parse(secret.jwk) as { d: string };
        expect(out.stdout).not.toContain(privateJwk.d);
        expect(out.stdout).not.toContain(secret.pem.split("\n")[1]);
      }

      // The printed set is the one the API verifies with.
      const { issuer, audience } = defaultConfig().tokens;
      const { jwe } = await issueDeviceToken({
        key,
        certificate: device.pem,
        device: "pump-07",
        account: "acme-health",
        issuer,
        audience,
        lifetimeDays: 30,
        newJti: () => "jti-jwks-1",
      });
      const jwt = await decryptDeviceToken(jwe, loadDevicePrivateKey(device.keyPem));
      const printed = JSON.parse((await capture(["--key", path(`${alg}.pem`)])).stdout) as Parameters<
        typeof verifyDeviceToken
      >[1]["jwks"];
      const verified = await verifyDeviceToken(jwt, { jwks: printed, issuer, audience, peerCertificate: device.der });
      expect(verified.ok).toBe(true);
    },
  );

  it("prints one set for several keys (a rotation), each key once", async () => {
    const a = signingSecret("ES256");
    const b = signingSecret("RS256");
    writeFileSync(path("a.pem"), a.pem);
    writeFileSync(path("b.pem"), b.pem);
    const out = await capture(["--key", path("a.pem"), "--key", path("b.pem"), "--key", path("a.pem")]);
    expect(out.code).toBe(0);
    const printed = JSON.parse(out.stdout) as { keys: Array<{ alg: string }> };
    expect(printed.keys.map((k) => k.alg)).toEqual(["ES256", "RS256"]);
  });

  it("exits 2, never echoing the file, for a missing file, a certificate or a public key", async () => {
    const missing = await capture(["--key", path("nope.pem")]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toMatch(/--key .*nope\.pem: no such file/);
    const cert = await capture(["--key", path("device.pem")]);
    expect(cert).toMatchObject({ code: 2, stdout: "" });
    expect(cert.stderr).toMatch(/--key .*device\.pem: the signing key secret is neither a PEM private key nor a JWK/);
    expect(cert.stderr).not.toContain(device.pem.split("\n")[1]);
    const inline = await capture([`--key=${signingSecret("ES256").pem}`]);
    expect(inline.code).toBe(2);
    expect(inline.stderr).not.toMatch(/PRIVATE KEY/);
  });

  it("--help exits 0; no --key is a usage error", async () => {
    expect(await capture(["--help"])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^usage: node cli\/dist\/onerecord-access\.js jwks --key/),
    });
    expect(await capture([])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--key SIGNING.key is required/),
    });
  });
});
