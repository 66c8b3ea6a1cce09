import { createPrivateKey } from "node:crypto";
import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { isOneRecordError } from "../../src/errors.js";
import {
  decryptDeviceToken,
  encryptForDevice,
  loadDevicePrivateKey,
  readDeviceCertificate,
  x5tS256,
} from "../../src/tokens/index.js";
import { makeLeaf, makeRoot, validFor } from "../helpers/pki.js";

// A stand-in for a signed token: encryption does not look inside.
const JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJwdW1wLTA3In0.c2lnbmF0dXJl";

async function decryptError(jwe: string, keyPem: string): Promise<Error> {
  try {
    await decryptDeviceToken(jwe, loadDevicePrivateKey(keyPem));
  } catch (error) {
    expect(isOneRecordError(error, "input-invalid")).toBe(true);
    return error as Error;
  }
  throw new Error("expected decryption to fail");
}

describe("encrypted delivery", async () => {
  const root = await makeRoot({ name: "CN=Token Test Root", ...validFor(3650) });
  const devices = {
    "ec-p256": await makeLeaf(root, { keyAlg: "p-256", ...validFor(730) }),
    "ec-p384": await makeLeaf(root, { keyAlg: "p-384", ...validFor(730) }),
    "ec-p521": await makeLeaf(root, { keyAlg: "p-521", ...validFor(730) }),
    rsa: await makeLeaf(root, { keyAlg: "rsa-2048", ...validFor(730) }),
  } as const;
  type DeviceKeyType = keyof typeof devices;
  const others = {
    "ec-p256": await makeLeaf(root, { keyAlg: "p-256", ...validFor(730) }),
    rsa: await makeLeaf(root, { keyAlg: "rsa-2048", ...validFor(730) }),
  };

  it.each([
    ["rsa", "RSA-OAEP-256"],
    ["ec-p256", "ECDH-ES+A256KW"],
    ["ec-p384", "ECDH-ES+A256KW"],
    ["ec-p521", "ECDH-ES+A256KW"],
  ] as const)("round-trips to a %s device key with %s/A256GCM", async (type, alg) => {
    const device = devices[type];
    const jwe = await encryptForDevice(JWT, readDeviceCertificate(device.pem));
    expect(jwe.split(".")).toHaveLength(5);
    expect(jwe).not.toContain(JWT.split(".")[1]);
    const header = decodeProtectedHeader(jwe);
    expect(header).toMatchObject({ alg, enc: "A256GCM", cty: "JWT", "x5t#S256": x5tS256(device.der) });
    expect(await decryptDeviceToken(jwe, loadDevicePrivateKey(device.keyPem))).toBe(JWT);
  });

  it("decrypts with PKCS#1 RSA and SEC1 EC keys too", async () => {
    const pkcs1 = createPrivateKey(devices.rsa.keyPem).export({ format: "pem", type: "pkcs1" }) as string;
    const sec1 = createPrivateKey(devices["ec-p256"].keyPem).export({ format: "pem", type: "sec1" }) as string;
    expect(pkcs1).toContain("BEGIN RSA PRIVATE KEY");
    expect(sec1).toContain("BEGIN EC PRIVATE KEY");
    expect(
      await decryptDeviceToken(
        await encryptForDevice(JWT, readDeviceCertificate(devices.rsa.der)),
        loadDevicePrivateKey(pkcs1),
      ),
    ).toBe(JWT);
    expect(
      await decryptDeviceToken(
        await encryptForDevice(JWT, readDeviceCertificate(devices["ec-p256"].der)),
        loadDevicePrivateKey(sec1),
      ),
    ).toBe(JWT);
  });

  it.each(["ec-p256", "rsa"] as const)("fails with another %s device's key, saying so", async (type) => {
    const jwe = await encryptForDevice(JWT, readDeviceCertificate(devices[type].der));
    const error = await decryptError(jwe, others[type].keyPem);
    expect(error.message).toMatch(/another device's key/);
    expect(error.message).not.toContain(JWT);
  });

  it.each<[DeviceKeyType, DeviceKeyType, RegExp]>([
    ["ec-p256", "rsa", /encrypted to an EC key but this key is RSA/],
    ["rsa", "ec-p256", /encrypted to an RSA key but this key is EC/],
    ["ec-p256", "ec-p384", /encrypted to an EC P-256 key but this key is EC P-384/],
  ])("names the mismatch when a %s token meets a %s key", async (to, keyType, message) => {
    const jwe = await encryptForDevice(JWT, readDeviceCertificate(devices[to].der));
    const error = await decryptError(jwe, devices[keyType].keyPem);
    expect(error.message).toMatch(message);
  });

  it("refuses a tampered JWE", async () => {
    const parts = (await encryptForDevice(JWT, readDeviceCertificate(devices.rsa.der))).split(".");
    const ciphertext = Buffer.from(parts[3]!, "base64url");
    ciphertext[0] = ciphertext[0]! ^ 1;
    parts[3] = ciphertext.toString("base64url");
    const error = await decryptError(parts.join("."), devices.rsa.keyPem);
    expect(error.message).toMatch(/another device's key, or it was altered/);
  });

  it("refuses input that is not a compact JWE", async () => {
    expect((await decryptError(JWT, devices.rsa.keyPem)).message).toMatch(
      /a signed JWT \(three parts\), not an encrypted token/,
    );
    expect((await decryptError("hello", devices.rsa.keyPem)).message).toMatch(/not a compact JWE/);
    expect((await decryptError("a.b.c.d.e", devices.rsa.keyPem)).message).toMatch(/header is not readable/);
  });

  it("refuses device certificates whose keys cannot receive a JWE", async () => {
    const ed = await makeLeaf(root, { keyAlg: "ed25519", ...validFor(730) });
    let error: unknown;
    try {
      await encryptForDevice(JWT, readDeviceCertificate(ed.pem));
    } catch (e) {
      error = e;
    }
    expect(isOneRecordError(error, "input-invalid")).toBe(true);
    expect((error as Error).message).toMatch(
      /key of type ed25519; tokens can be encrypted only to RSA \(2048 to 16384 bits\) or EC P-256\/P-384\/P-521 keys/,
    );
  });

  it("refuses device keys it cannot read, without quoting them", () => {
    expect(() => loadDevicePrivateKey(devices.rsa.pem)).toThrow(/not a PEM private key/);
    const encrypted = createPrivateKey(devices.rsa.keyPem).export({
      format: "pem",
      type: "pkcs8",
      cipher: "aes-256-cbc",
      passphrase: "pw",
    }) as string;
    expect(() => loadDevicePrivateKey(encrypted)).toThrow(/passphrase-encrypted/);
    const broken = "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n";
    expect(() => loadDevicePrivateKey(broken)).toThrow(/could not be read/);
  });
});
