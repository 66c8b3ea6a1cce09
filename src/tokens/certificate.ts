import { X509Certificate, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { OneRecordError } from "../errors.js";
import { x5tS256 } from "./thumbprint.js";

/**
 * The ways a device certificate reaches the token code: DER bytes, a PEM string (the committed
 * file; the first CERTIFICATE block is the leaf), a Node X509Certificate, or what
 * `tlsSocket.getPeerCertificate(true)` returns (an object carrying the DER as `.raw`).
 */
export type CertificateInput = Uint8Array | string | X509Certificate | PeerCertificateLike;

/** The part of Node's `DetailedPeerCertificate` we rely on; `{}` when the peer sent none. */
export interface PeerCertificateLike {
  raw?: Uint8Array | undefined;
}

export interface DeviceCertificate {
  der: Uint8Array;
  x5tS256: string;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
}

/**
 * The DER bytes of a certificate input, or undefined when there is none (an empty peer
 * certificate object is how Node reports a client that presented no certificate).
 */
export function certificateDer(input: CertificateInput | null | undefined): Uint8Array | undefined {
  if (input === null || input === undefined) return undefined;
  if (input instanceof Uint8Array) return input.byteLength > 0 ? input : undefined;
  if (input instanceof X509Certificate) return input.raw;
  if (typeof input === "string") return pemToDer(input);
  const raw = (input as PeerCertificateLike).raw;
  return raw instanceof Uint8Array && raw.byteLength > 0 ? raw : undefined;
}

export function readDeviceCertificate(input: CertificateInput): DeviceCertificate {
  const der = certificateDer(input);
  if (!der) {
    const message = typeof input === "string" ? "the device certificate is not a PEM certificate" : "no device certificate was given";
    throw new OneRecordError("input-invalid", message);
  }
  let node: X509Certificate;
  let asn: Certificate;
  try {
    node = new X509Certificate(der);
    // Node exposes validity only as display strings; the ASN.1 gives exact Dates.
    asn = AsnConvert.parse(der, Certificate);
  } catch {
    throw new OneRecordError("input-invalid", "the device certificate is not a readable X.509 certificate");
  }
  const validity = asn.tbsCertificate.validity;
  return {
    der: new Uint8Array(node.raw),
    x5tS256: x5tS256(node.raw),
    publicKey: node.publicKey,
    notBefore: validity.notBefore.getTime(),
    notAfter: validity.notAfter.getTime(),
  };
}

const FIRST_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

function pemToDer(pem: string): Uint8Array | undefined {
  const match = FIRST_CERTIFICATE.exec(pem);
  if (!match) return undefined;
  const der = Buffer.from(match[1]!.replace(/\s+/g, ""), "base64");
  return der.byteLength > 0 ? new Uint8Array(der) : undefined;
}
