import { deviceKey } from "../request/device-id.js";
import type { AccessRecord, CertificateRecord, IssuanceRecord, ReissueRequest } from "./schema.js";

/**
 * Token bookkeeping shared by the app (to derive `access: live`) and the token workflow (to know
 * what to issue). One rule, one place. Recording an issuance is the app's alone: it replays the
 * request's history with the accepted tokens (src/app/state/reduce.ts).
 */

/** RFC 8705 `x5t#S256` from the "AB:CD:…" SHA-256 fingerprint of the same DER. */
export function thumbprintFromFingerprint(fingerprintSha256: string): string {
  return Buffer.from(fingerprintSha256.replace(/:/g, ""), "hex").toString("base64url");
}

/** The certificate each device holds now (the latest merge wins), keyed by `deviceKey`. */
export function currentCertificates(certificates: readonly CertificateRecord[]): Map<string, CertificateRecord> {
  const byDevice = new Map<string, CertificateRecord>();
  for (const c of certificates) {
    const key = deviceKey(c.device);
    const seen = byDevice.get(key);
    if (!seen || seen.mergedAt < c.mergedAt || (seen.mergedAt === c.mergedAt && seen.pr < c.pr)) byDevice.set(key, c);
  }
  return byDevice;
}

type TokenView = Pick<AccessRecord, "request" | "certificates" | "issuance" | "reissueRequested"> &
  Partial<Pick<AccessRecord, "voidedRuns">>;

/** When a token was signed: a reissue request is satisfied only by a token signed after it. */
export function signedAt(t: Pick<IssuanceRecord, "at" | "issuedAt">): string {
  return t.issuedAt ?? t.at;
}

/** The issuance event (one run's completion) a token belongs to: what `voidedRuns` names. */
export function issuanceEventKey(t: { at: string; runUrl: string }): string {
  return `${t.at}\u0000${t.runUrl}`;
}

/**
 * The token a device holds now: the newest one bound to its current valid certificate that
 * postdates any reissue request for it (undefined: none).
 */
export function currentToken(
  view: TokenView,
  device: string,
  issuance: readonly IssuanceRecord[] = view.issuance,
  pending: readonly ReissueRequest[] = view.reissueRequested,
): IssuanceRecord | undefined {
  const certificate = currentCertificates(view.certificates).get(deviceKey(device));
  if (!certificate || certificate.verdict !== "valid" || !certificate.fingerprintSha256) return undefined;
  const thumbprint = thumbprintFromFingerprint(certificate.fingerprintSha256);
  const asked = pending.filter((r) => deviceKey(r.device) === deviceKey(device)).map((r) => r.at);
  const after = asked.length ? asked.sort().at(-1)! : "";
  // Tokens a run completed after a block (reject, hold, revocation) never count.
  const voided = new Set((view.voidedRuns ?? []).map(issuanceEventKey));
  let newest: IssuanceRecord | undefined;
  for (const t of issuance) {
    if (
      (voided.size === 0 || !voided.has(issuanceEventKey(t))) &&
      deviceKey(t.device) === deviceKey(device) &&
      t.x5tS256 === thumbprint &&
      signedAt(t) > after &&
      (!newest || newest.at < t.at)
    )
      newest = t;
  }
  return newest;
}

/** A token counts when it is bound to the device's current valid certificate and postdates any reissue request. */
export function hasCurrentToken(
  view: TokenView,
  device: string,
  issuance: readonly IssuanceRecord[] = view.issuance,
  pending: readonly ReissueRequest[] = view.reissueRequested,
): boolean {
  return currentToken(view, device, issuance, pending) !== undefined;
}

/** Devices of the request that need a token now: no token bound to their current certificate, or a reissue asked. */
export function devicesNeedingTokens(view: TokenView): string[] {
  return (view.request?.devices ?? []).filter((d) => !hasCurrentToken(view, d));
}

/** Every device of the request holds a current token. */
export function tokensComplete(view: TokenView): boolean {
  return (view.request?.devices.length ?? 0) > 0 && devicesNeedingTokens(view).length === 0;
}

/**
 * Each device's newest token, by when it was signed (stand-ins included): one live token per
 * device (issue 19), every earlier one superseded.
 */
export function newestTokenPerDevice(issuance: readonly IssuanceRecord[]): Map<string, IssuanceRecord> {
  const newest = new Map<string, IssuanceRecord>();
  for (const t of issuance) {
    const seen = newest.get(deviceKey(t.device));
    if (!seen || signedAt(t) >= signedAt(seen)) newest.set(deviceKey(t.device), t);
  }
  return newest;
}
