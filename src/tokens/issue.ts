import { randomUUID } from "node:crypto";
import { buildDeviceClaims, type DeviceClaims, type StatusListReference } from "./claims.js";
import { readDeviceCertificate, type CertificateInput } from "./certificate.js";
import { encryptForDevice } from "./encrypt.js";
import { signDeviceToken } from "./sign.js";
import type { SigningKey } from "./signing-key.js";

export interface IssueInput {
  key: SigningKey;
  certificate: CertificateInput;
  device: string;
  account: string;
  issuer: string;
  audience: string;
  lifetimeDays: number;
  now?: Date;
  newJti?: () => string;
  /** The token's status list entry (`status.status_list`), allocated in the signed record. */
  status?: StatusListReference;
  /**
   * Sees the signed JWT before it is encrypted, for one purpose: registering it with a log
   * masker (the Action's `core.setSecret`), so that even a bug that printed it would print `***`.
   */
  mask?: (jwt: string) => void;
}

/**
 * A token as issued, inside the token workflow only: its JWE and every claim. What the issuance
 * comment publishes of it is `IssuanceEntry` (src/record/issuance-comment.ts, `issuanceEntryOf`).
 */
export interface IssuedToken {
  /** The compact JWE to deliver: only the device's private key opens it. */
  jwe: string;
  /** What to record (device, jti, thumbprint, expiry); none of it is secret. */
  claims: DeviceClaims;
}

/**
 * Claims, signature and encryption for one device. The signed JWT never leaves this function in
 * plain text (only to `mask`): callers get only the JWE, so nothing downstream can log or post the
 * bare token.
 */
export async function issueDeviceToken(input: IssueInput): Promise<IssuedToken> {
  const certificate = readDeviceCertificate(input.certificate);
  const claims = buildDeviceClaims({
    issuer: input.issuer,
    audience: input.audience,
    device: input.device,
    account: input.account,
    certificate,
    lifetimeDays: input.lifetimeDays,
    now: input.now ?? new Date(),
    jti: (input.newJti ?? randomUUID)(),
    ...(input.status ? { status: input.status } : {}),
  });
  const jwt = await signDeviceToken(claims, input.key);
  input.mask?.(jwt);
  const jwe = await encryptForDevice(jwt, certificate);
  return { jwe, claims };
}
