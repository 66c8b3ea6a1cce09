import { createPrivateKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as decryptKey } from "../../src/cli/commands/decrypt-key.js";
import { run as deliveryKey } from "../../src/cli/commands/delivery-key.js";
import { decryptDeviceKey } from "../../src/delivery/decrypt-device-key.js";
import { judgeDeliveryJwk } from "../../src/delivery/delivery-jwk.js";
import { encryptDeviceKey } from "../../src/delivery/encrypt-device-key.js";
import { makeDeliveryKeyPair } from "../../src/delivery/key-pair.js";
import { makeLeaf, makeRoot, validFor, type Issued } from "../helpers/pki.js";

/**
 * Key delivery for certificates obtained on the customer's behalf (issue 20, option 2): the
 * customer makes a delivery key pair, pastes its public JWK in the form; each device key is
 * posted as a JWE to it, opened on the customer's machine into a mode-0600 file, never printed.
 */
let dir: string;
let device: Issued;
let other: Issued;
const path = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "delivery-"));
  const root = await makeRoot({ cn: "Delivery Root", ...validFor(3650) });
  device = await makeLeaf(root, { cn: "gw-1", ...validFor(365) });
  other = await makeLeaf(root, { cn: "gw-2", ...validFor(365) });
  writeFileSync(path("gw-1.pem"), device.pem);
  writeFileSync(path("gw-2.pem"), other.pem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function capture(command: typeof deliveryKey, argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await command(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe("judgeDeliveryJwk", () => {
  it("takes the public JWK delivery-key makes, in a code fence too, keeping only its public members", async () => {
    const { publicJwk } = await makeDeliveryKeyPair();
    const verdict = judgeDeliveryJwk(`\`\`\`json\n${JSON.stringify({ ...publicJwk, use: "enc" })}\n\`\`\``);
    expect(verdict).toEqual({ ok: true, jwk: publicJwk });
  });

  it("refuses a JWK with a private part first, never echoing it", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = await exportJWK(privateKey);
    const verdict = judgeDeliveryJwk(JSON.stringify(jwk));
    expect(verdict).toMatchObject({ ok: false, code: "private-part" });
    expect(JSON.stringify(verdict)).not.toContain(jwk.d!);
    // Whatever else is wrong with it, the private part is what is said: the delivery.key file
    // itself, a JWK inside other text, a JWKS holding a private key.
    expect(judgeDeliveryJwk(JSON.stringify({ kty: "RSA", d: "x" }))).toMatchObject({ code: "private-part" });
    const pair = await makeDeliveryKeyPair();
    expect(judgeDeliveryJwk(pair.privatePem)).toMatchObject({ code: "private-part" });
    expect(judgeDeliveryJwk(`my key: ${JSON.stringify(jwk)}`)).toMatchObject({ code: "private-part" });
    expect(judgeDeliveryJwk(JSON.stringify({ keys: [jwk] }))).toMatchObject({ code: "private-part" });
    expect(JSON.stringify(judgeDeliveryJwk(pair.privatePem))).not.toContain(pair.privatePem.split("\n")[1]!);
  });

  it.each([
    ["garbage", "not a key", "not-json"],
    ["an array", "[1]", "not-json"],
    ["an RSA key", JSON.stringify({ kty: "RSA", n: "AQAB", e: "AQAB" }), "unsupported-key"],
    ["an OKP key", JSON.stringify({ kty: "OKP", crv: "X25519", x: "abc" }), "unsupported-key"],
    ["a point off the curve", JSON.stringify({ kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }), "unusable-key"],
    ["a huge value", JSON.stringify({ kty: "EC", pad: "x".repeat(5000) }), "not-json"],
  ])("refuses %s", async (_, text, code) => {
    expect(judgeDeliveryJwk(text)).toMatchObject({ ok: false, code });
  });
});

describe("a device key's delivery", () => {
  it("round-trips: encrypted to the delivery key, opened with it, and it is the certificate's key", async () => {
    const pair = await makeDeliveryKeyPair();
    const delivery = await encryptDeviceKey(device.privateKey, pair.publicJwk, {
      device: "gw-1",
      x5tS256: "abc",
      request: 7,
    });
    expect(delivery.jwe.split(".")).toHaveLength(5);
    expect(delivery.jwe).not.toContain("PRIVATE KEY");
    expect(delivery.sha256).toMatch(/^[0-9a-f]{64}$/);
    const opened = await decryptDeviceKey(
      delivery.jwe,
      createPrivateKey(pair.privatePem),
      new X509Certificate(device.pem).publicKey,
    );
    expect(opened).toMatchObject({ device: "gw-1", x5tS256: "abc" });
    expect(createPrivateKey(opened.pem).export({ type: "pkcs8", format: "pem" })).toBe(device.keyPem);
  });

  it("refuses another delivery key, an altered JWE, and a key that is not the certificate's", async () => {
    const pair = await makeDeliveryKeyPair();
    const stranger = await makeDeliveryKeyPair();
    const { jwe } = await encryptDeviceKey(device.privateKey, pair.publicJwk, {
      device: "gw-1",
      x5tS256: "a",
      request: 1,
    });
    await expect(decryptDeviceKey(jwe, createPrivateKey(stranger.privatePem))).rejects.toMatchObject({
      code: "input-invalid",
    });
    const parts = jwe.split(".");
    // The tag's first character carries six whole bits: changing it always alters the tag (the
    // last ones may carry padding bits only, which made this flaky).
    parts[3] = `${parts[3]!.startsWith("A") ? "B" : "A"}${parts[3]!.slice(1)}`;
    await expect(decryptDeviceKey(parts.join("."), createPrivateKey(pair.privatePem))).rejects.toThrow(/altered/);
    const otherKey = new X509Certificate(other.pem).publicKey;
    await expect(decryptDeviceKey(jwe, createPrivateKey(pair.privatePem), otherKey)).rejects.toThrow(
      /not the key of the certificate/,
    );
  });
});

describe("delivery-key and decrypt-key", () => {
  it("makes the pair (private file 0600, public JWK printed) and opens a delivery into a 0600 file, printing no key", async () => {
    const made = await capture(deliveryKey, ["--out", path("delivery.key")]);
    expect(made.code).toBe(0);
    const jwk = JSON.parse(made.stdout) as Record<string, string>;
    expect(Object.keys(jwk).sort()).toEqual(["crv", "kty", "x", "y"]);
    expect(statSync(path("delivery.key")).mode & 0o777).toBe(0o600);
    const verdict = judgeDeliveryJwk(made.stdout);
    if (!verdict.ok) throw new Error(verdict.reason);

    const { jwe } = await encryptDeviceKey(device.privateKey, verdict.jwk, {
      device: "gw-1",
      x5tS256: "a",
      request: 1,
    });
    writeFileSync(path("gw-1.jwe"), jwe);
    const opened = await capture(decryptKey, [
      "--key",
      path("delivery.key"),
      "--out",
      path("gw-1.key"),
      "--cert",
      path("gw-1.pem"),
      path("gw-1.jwe"),
    ]);
    expect(opened).toMatchObject({ code: 0, stderr: "" });
    expect(opened.stdout).toMatch(/wrote the private key of device "gw-1" to .*gw-1\.key \(mode 0600\)/);
    expect(opened.stdout).not.toMatch(/PRIVATE KEY|MII/);
    expect(statSync(path("gw-1.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(path("gw-1.key"), "utf8")).toBe(device.keyPem);
  });

  it("never replaces an existing file, and refuses a delivery for another certificate", async () => {
    writeFileSync(path("taken.key"), "keep me");
    const refused = await capture(deliveryKey, ["--out", path("taken.key")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/exists already/);
    expect(readFileSync(path("taken.key"), "utf8")).toBe("keep me");

    const pair = await makeDeliveryKeyPair();
    writeFileSync(path("d2.key"), pair.privatePem);
    const { jwe } = await encryptDeviceKey(device.privateKey, pair.publicJwk, {
      device: "gw-1",
      x5tS256: "a",
      request: 1,
    });
    const wrong = await capture(decryptKey, [
      "--key",
      path("d2.key"),
      "--out",
      path("x.key"),
      "--cert",
      path("gw-2.pem"),
      jwe,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not the key of the certificate/);
    expect(() => statSync(path("x.key"))).toThrow();
  });
});
