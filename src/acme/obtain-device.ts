import { validateCertificateBytes, type TrustStore } from "../certificates/index.js";
import type { FileReport } from "../certificates/types.js";
import type { DeliveryJwk } from "../delivery/delivery-jwk.js";
import { encryptDeviceKey } from "../delivery/encrypt-device-key.js";
import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { decodeCertificateFile, pemOfDer } from "../certificates/decode.js";
import { x5tS256 as thumbprint } from "../tokens/thumbprint.js";
import type acme from "acme-client";
import type { DeviceKeyType } from "./device-key.js";
import { AcmeFault } from "./faults.js";
import { deviceIdentifier } from "./identifier.js";
import { obtainCertificate } from "./order.js";

/**
 * One device of an option-2 request, end to end inside the protected workflow: its identifier,
 * its certificate obtained (src/acme/order.ts), the chain judged by **our** judge at the path the
 * pull request will give it (a certificate our judge refuses is never delivered, and its key is
 * dropped with it), then the key encrypted to the customer's delivery key. What leaves this
 * function is public (the chain) or encrypted (the key); the key object goes out of scope here.
 */

export interface OnBehalfDevice {
  request: number;
  account: string;
  device: string;
  /** Where the certificate file goes (`certificates.pathPattern`). */
  path: string;
}

export interface OnBehalfSettings {
  identifierTemplate: string;
  keyType: DeviceKeyType;
  trust: TrustStore;
  warnDays: number;
  deliveryKey: DeliveryJwk;
}

export interface ObtainedDevice {
  device: string;
  path: string;
  identifier: string;
  chainPem: string;
  orderUrl: string;
  /** The leaf's `x5t#S256`, as tokens carry it. */
  x5tS256: string;
  report: FileReport;
  /** The device's private key as a JWE to the delivery key, and the JWE's SHA-256. */
  keyJwe: string;
  keyJweSha256: string;
}

export async function obtainDevice(
  client: acme.Client,
  target: OnBehalfDevice,
  settings: OnBehalfSettings,
  /** Read once the chain arrived: a CA may date a certificate from the very second it signs it. */
  clock: () => Date = () => new Date(),
): Promise<ObtainedDevice> {
  const name = deviceIdentifier(settings.identifierTemplate, target.device, target.account);
  if (!name.ok) throw new AcmeFault("identifier-invalid", name.reason);
  const got = await obtainCertificate(client, name.name, settings.keyType);
  const chainPem = canonicalChain(got.chainPem);
  const mismatch =
    chainPem === null ? "it holds no readable certificate" : leafMismatch(chainPem, got.privateKey, name.name);
  if (mismatch)
    throw new AcmeFault(
      "certificate-refused",
      `the certificate the CA issued for ${name.name} does not fit its order: ${mismatch}; nothing is delivered`,
    );
  const report = validateCertificateBytes(Buffer.from(chainPem!, "utf8"), {
    path: target.path,
    trust: settings.trust,
    at: clock(),
    warnDays: settings.warnDays,
  });
  if (report.verdict !== "valid")
    throw new AcmeFault(
      "certificate-refused",
      `the certificate the CA issued for ${name.name} does not pass the check (${report.errors.map((e) => e.code).join(", ")}): nothing is delivered; order ${got.orderUrl}`,
    );
  const x5tS256 = thumbprint(new X509Certificate(chainPem!).raw);
  const delivery = await encryptDeviceKey(got.privateKey, settings.deliveryKey, {
    device: target.device,
    x5tS256,
    request: target.request,
  });
  return {
    device: target.device,
    path: target.path,
    identifier: name.name,
    chainPem: chainPem!,
    orderUrl: got.orderUrl,
    x5tS256,
    report,
    keyJwe: delivery.jwe,
    keyJweSha256: delivery.sha256,
  };
}

/** The chain re-encoded from its DER certificates, as plain PEM blocks (what the report and the PR carry); null: none. */
function canonicalChain(pem: string): string | null {
  const ders = decodeCertificateFile(Buffer.from(pem, "utf8")).certificates;
  if (ders.length === 0) return null;
  return ders.map(pemOfDer).join("");
}

/**
 * Why the leaf is not the certificate ordered, or null: it must carry the key made for it (else
 * the key delivered opens nothing) and name the identifier ordered (else it is another device's).
 */
function leafMismatch(chainPem: string, privateKey: KeyObject, identifier: string): string | null {
  const leaf = new X509Certificate(chainPem);
  const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" });
  if (!spki(leaf.publicKey).equals(spki(createPublicKey(privateKey)))) return "its key is not the key made for it";
  const names = (leaf.subjectAltName ?? "")
    .split(", ")
    .filter((n) => n.startsWith("DNS:"))
    .map((n) => n.slice(4).toLowerCase());
  if (!names.includes(identifier.toLowerCase())) return `it does not name ${identifier}`;
  return null;
}
