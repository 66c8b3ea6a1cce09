import { X509Certificate, type KeyObject } from "node:crypto";
import { decodeCertificateFile } from "../certificates/decode.js";
import { inspectCertificate, type CertificateFacts } from "../certificates/inspect.js";
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
  const raw = input.raw;
  return raw instanceof Uint8Array && raw.byteLength > 0 ? raw : undefined;
}

export function readDeviceCertificate(input: CertificateInput): DeviceCertificate {
  const der = certificateDer(input);
  if (!der) {
    const message =
      typeof input === "string" ? "the device certificate is not a PEM certificate" : "no device certificate was given";
    throw new OneRecordError("input-invalid", message);
  }
  let facts: CertificateFacts;
  let publicKey: KeyObject;
  try {
    facts = inspectCertificate(der);
    publicKey = facts.publicKey; // made when first read (inspect.ts)
  } catch {
    throw new OneRecordError("input-invalid", "the device certificate is not a readable X.509 certificate");
  }
  return {
    der: new Uint8Array(facts.der),
    x5tS256: x5tS256(facts.der),
    publicKey,
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
  };
}

/** The leaf of a PEM text, decoded by the same code that judges certificate files. */
function pemToDer(pem: string): Uint8Array | undefined {
  const decoded = decodeCertificateFile(Buffer.from(pem, "utf8"));
  return decoded.errors.length === 0 ? decoded.certificates[0] : undefined;
}
