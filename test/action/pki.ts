import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

/**
 * Test certificates for the Action's tests, made at test time (nothing committed). A small
 * stand-in for the shared test PKI helper: a root, an intermediate under it and client leaves.
 */
type KeyPair = webcrypto.CryptoKeyPair;

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface Issued {
  pem: string;
  cert: x509.X509Certificate;
  keys: KeyPair;
}

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(2, "0");

async function keys(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as unknown as KeyPair;
}

export async function makeRoot(name = "CN=Action Test Root"): Promise<Issued> {
  const k = await keys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    keys: k,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(k.publicKey),
    ],
  });
  return { pem: cert.toString("pem"), cert, keys: k };
}

export async function makeIntermediate(root: Issued, name = "CN=Action Test Intermediate"): Promise<Issued> {
  const k = await keys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: name,
    issuer: root.cert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 1825 * DAY),
    publicKey: k.publicKey,
    signingKey: root.keys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(k.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.keys.publicKey),
    ],
  });
  return { pem: cert.toString("pem"), cert, keys: k };
}

export async function makeLeaf(issuer: Issued, options: { subject?: string; days?: number; clientAuth?: boolean } = {}): Promise<Issued> {
  const k = await keys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: options.subject ?? "CN=device-1",
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + (options.days ?? 365) * DAY),
    publicKey: k.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([options.clientAuth === false ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ],
  });
  return { pem: cert.toString("pem"), cert, keys: k };
}

/** PKCS#8 PEM of a key: for tests that commit a key by mistake. Never printed. */
export async function privateKeyPem(issued: Issued): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", issued.keys.privateKey);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}
