import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createPrivateKey, generateKeyPairSync, randomUUID, webcrypto, type KeyObject } from "node:crypto";
import {
  buildDeviceClaims,
  decryptDeviceToken,
  encryptForDevice,
  loadSigningKey,
  readDeviceCertificate,
  signDeviceToken,
  verifyDeviceToken,
  type DeviceCertificate,
} from "../src/tokens/index.js";
import { fmt, median } from "./measure.js";
import { encryptionSteps } from "./token-breakdown.js";

x509.cryptoProvider.set(webcrypto);
const DEVICES = 1000;
const RSA_DEVICES = 20;
const ROUNDS = 3;
const ISSUER = "https://onerecord.example/access";
const AUDIENCE = "https://api.onerecord.example";
const SIGN_WITH = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

interface Device {
  id: string;
  pem: string;
  privateKey: KeyObject;
}

/**
 * Token issuance for 1,000 devices (EC P-256, with a few RSA-2048 to show both JWE key
 * managements), the way the token workflow runs it: claims, ES256 signature, JWE to the device
 * certificate; then the API-side verification against each device's certificate. Keys and
 * certificates are made once up front and not timed; each round parses the certificates afresh
 * (untimed) so per-key import costs count as they do in a real run.
 */
export async function benchTokens(): Promise<string[]> {
  const devices = await makeDevices();
  const key = await loadSigningKey(
    generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }) as string,
  );
  const now = new Date();
  const claimsFor = (d: Device, c: DeviceCertificate) =>
    buildDeviceClaims({
      issuer: ISSUER,
      audience: AUDIENCE,
      device: d.id,
      account: "bench-account",
      certificate: c,
      lifetimeDays: 365,
      now,
      jti: randomUUID(),
    });

  const samples: Record<"sign" | "signEncrypt" | "verify" | "decrypt", number[]> = {
    sign: [],
    signEncrypt: [],
    verify: [],
    decrypt: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    let certificates = devices.map((d) => readDeviceCertificate(d.pem));
    samples.sign.push(
      await time(async () => {
        for (let i = 0; i < DEVICES; i++) await signDeviceToken(claimsFor(devices[i]!, certificates[i]!), key);
      }),
    );

    certificates = devices.map((d) => readDeviceCertificate(d.pem));
    const jwes: string[] = [];
    samples.signEncrypt.push(
      await time(async () => {
        for (let i = 0; i < DEVICES; i++)
          jwes.push(
            await encryptForDevice(
              await signDeviceToken(claimsFor(devices[i]!, certificates[i]!), key),
              certificates[i]!,
            ),
          );
      }),
    );

    const jwts: string[] = [];
    samples.decrypt.push(
      await time(async () => {
        for (let i = 0; i < DEVICES; i++) jwts.push(await decryptDeviceToken(jwes[i]!, devices[i]!.privateKey));
      }),
    );

    let accepted = 0;
    samples.verify.push(
      await time(async () => {
        for (let i = 0; i < DEVICES; i++) {
          const result = await verifyDeviceToken(jwts[i]!, {
            jwks: key.jwks,
            issuer: ISSUER,
            audience: AUDIENCE,
            peerCertificate: certificates[i]!.der,
          });
          if (result.ok) accepted++;
        }
      }),
    );
    if (accepted !== DEVICES) throw new Error(`bench: only ${accepted} of ${DEVICES} tokens verified`);
  }

  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<
    keyof typeof samples,
    number
  >;
  const rate = (ms: number) => `${Math.round((DEVICES / ms) * 1000).toLocaleString("en-US")} tokens/s`;
  return [
    `tokens: ${DEVICES} devices (${DEVICES - RSA_DEVICES} EC P-256, ${RSA_DEVICES} RSA-2048), ES256 signing key, median of ${ROUNDS} rounds`,
    `  sign only (claims + ES256 JWT)                 ${fmt(m.sign).padStart(9)}  ${rate(m.sign)}`,
    `  sign + encrypt (JWE to the device certificate) ${fmt(m.signEncrypt).padStart(9)}  ${rate(m.signEncrypt)}`,
    `  verify (API side: signature, claims, x5t#S256) ${fmt(m.verify).padStart(9)}  ${rate(m.verify)}`,
    `  decrypt (customer side, device key)            ${fmt(m.decrypt).padStart(9)}  ${rate(m.decrypt)}`,
    `  ratio sign+encrypt / sign only                 ${(m.signEncrypt / m.sign).toFixed(2)}`,
    ...(await encryptionSteps(DEVICES)),
  ];
}

async function time(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function makeDevices(): Promise<Device[]> {
  const notBefore = new Date(Date.now() - 86_400_000);
  const notAfter = new Date(Date.now() + 730 * 86_400_000);
  const rootKeys = await webcrypto.subtle.generateKey(SIGN_WITH, true, ["sign", "verify"]);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=Token Bench Root",
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: SIGN_WITH,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const devices: Device[] = [];
  for (let i = 0; i < DEVICES; i++) {
    const rsa = i % (DEVICES / RSA_DEVICES) === 0;
    const algorithm = rsa
      ? { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
      : { name: "ECDSA", namedCurve: "P-256" };
    const keys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (0x1000 + i).toString(16),
      subject: `CN=device-${i}`,
      issuer: root.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: rootKeys.privateKey,
      signingAlgorithm: SIGN_WITH,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      ],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
    devices.push({
      id: `device-${String(i).padStart(4, "0")}`,
      pem: cert.toString("pem"),
      privateKey: createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }),
    });
  }
  return devices;
}
