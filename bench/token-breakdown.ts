import { createHash, generateKeyPairSync, webcrypto, type KeyObject } from "node:crypto";

const subtle = webcrypto.subtle;
const ECDH = { name: "ECDH", namedCurve: "P-256" } as const;

/**
 * Where one ECDH-ES+A256KW / A256GCM encryption (RFC 7518 §4.6, §4.4, §5.3) spends its time, step
 * by step with the WebCrypto calls jose 6 makes on Node, against one ES256 signature. Every step
 * is required by the JWE as specified: the ephemeral key is fresh per message (reusing it would
 * make every token to a device share one key-encryption key), so no step can be skipped.
 */
export async function encryptionSteps(count: number): Promise<string[]> {
  const recipient = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  const signer = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const payload = new Uint8Array(900);
  const signKey = await toCryptoKey(signer, { name: "ECDSA", namedCurve: "P-256" }, ["sign"]);
  const steps: Array<[string, () => Promise<unknown>]> = [
    ["ES256 signature (the JWT, for scale)", () => subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signKey, payload)],
    ["device key KeyObject -> CryptoKey (per key)", () => toCryptoKey(recipient, ECDH, [])],
    ["ephemeral P-256 key pair (fresh per JWE)", () => subtle.generateKey(ECDH, true, ["deriveBits"])],
  ];
  const recipientKey = await toCryptoKey(recipient, ECDH, []);
  const ephemeral = await subtle.generateKey(ECDH, true, ["deriveBits"]);
  const shared = new Uint8Array(
    await subtle.deriveBits({ name: "ECDH", public: recipientKey }, ephemeral.privateKey, 256),
  );
  const kek = await subtle.importKey("raw", shared, "AES-KW", false, ["wrapKey"]);
  const cek = await subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  steps.push(
    ["epk: export the ephemeral public key (JWK)", () => subtle.exportKey("jwk", ephemeral.publicKey)],
    [
      "ECDH shared secret (deriveBits)",
      () => subtle.deriveBits({ name: "ECDH", public: recipientKey }, ephemeral.privateKey, 256),
    ],
    ["Concat KDF (SHA-256)", () => Promise.resolve(createHash("sha256").update(shared).digest())],
    ["AES-256 key wrap of the content key", () => subtle.wrapKey("raw", cek, kek, "AES-KW")],
    ["AES-256-GCM over the JWT", () => subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, cek, payload)],
  );
  const lines = [`  one ECDH-ES+A256KW JWE, step by step (WebCrypto as jose calls it; ${count} each, mean):`];
  for (const [name, run] of steps) {
    await run();
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await run();
    const us = Number(process.hrtime.bigint() - start) / 1e3 / count;
    lines.push(`    ${name.padEnd(44)} ${us.toFixed(0).padStart(5)} µs`);
  }
  return lines;
}

/**
 * jose's conversion (once per key, cached): KeyObject.toCryptoKey where Node has it (22.10+),
 * otherwise, as on Node 20, an export to JWK and an import of that JWK.
 */
function toCryptoKey(
  key: KeyObject,
  algorithm: webcrypto.EcKeyImportParams,
  usages: webcrypto.KeyUsage[],
): Promise<webcrypto.CryptoKey> {
  return subtle.importKey("jwk", key.export({ format: "jwk" }), algorithm, true, usages);
}
