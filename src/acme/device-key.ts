// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first.
import "reflect-metadata";
import { KeyObject, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

/**
 * A device's key and certificate signing request (option 2): the key made in memory, in the
 * workflow, never written to disk; the CSR (PKCS #10, RFC 2986) built with @peculiar/x509, naming
 * the device by its identifier (subject CN and a dNSName SAN) and asking for clientAuth (RFC 5280
 * §4.2.1.12) and digitalSignature. The CA decides the final extensions; the obtained chain is
 * judged by our own judge before anything is delivered.
 */

export type DeviceKeyType = "ec-p256" | "ec-p384" | "rsa-3072";

const PARAMS: Record<DeviceKeyType, webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams> = {
  "ec-p256": { name: "ECDSA", namedCurve: "P-256" },
  "ec-p384": { name: "ECDSA", namedCurve: "P-384" },
  "rsa-3072": {
    name: "RSASSA-PKCS1-v1_5",
    modulusLength: 3072,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  },
};

const SIGNING: Record<DeviceKeyType, webcrypto.EcdsaParams | webcrypto.Algorithm> = {
  "ec-p256": { name: "ECDSA", hash: "SHA-256" },
  "ec-p384": { name: "ECDSA", hash: "SHA-384" },
  "rsa-3072": { name: "RSASSA-PKCS1-v1_5" },
};

export interface DeviceKeyAndCsr {
  privateKey: KeyObject;
  /** PEM of the CSR, as acme-client's finalize takes it. */
  csrPem: string;
}

export async function makeDeviceKeyAndCsr(type: DeviceKeyType, identifier: string): Promise<DeviceKeyAndCsr> {
  const keys = await webcrypto.subtle.generateKey(PARAMS[type], true, ["sign", "verify"]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: [{ CN: [identifier] }],
      keys,
      signingAlgorithm: SIGNING[type],
      extensions: [
        new x509.SubjectAlternativeNameExtension([{ type: "dns", value: identifier }]),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ],
    },
    webcrypto,
  );
  return { privateKey: KeyObject.from(keys.privateKey), csrPem: csr.toString("pem") };
}
