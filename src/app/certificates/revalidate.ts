import {
  applyLayout,
  parseCertificatePath,
  validateCertificateBytes,
  type FileReport,
  type TrustStore,
} from "../../certificates/index.js";
import type { CertificateRecord } from "../../record/schema.js";
import { deviceKey } from "../../request/device-id.js";

export interface MergedFile {
  path: string;
  /** Content at the merge commit; null when the PR removed the file. */
  bytes: Uint8Array | null;
}

export interface MergeInput {
  request: number;
  devices: readonly string[];
  pattern: string;
  trust: TrustStore;
  warnDays: number;
  pr: number;
  mergedCommit: string;
  mergedAt: string;
  /** The request's files this PR added, changed or removed. */
  files: readonly MergedFile[];
  /** Certificates already recorded for the request (other devices), for duplicate checks. */
  recorded: readonly CertificateRecord[];
}

const MAX_ERRORS = 5;

/**
 * The recorded files this merge leaves in place: the latest entry per path, unless this PR
 * touched that path or the file was removed. Compared by path, not by device: `GW-1.pem` merged
 * beside `gw-1.pem` leaves two files for one device on the default branch (`duplicate-device`,
 * as the token workflow sees it), while a new version of `gw-1.pem` replaces the old one.
 */
function stillOnBranch(recorded: readonly CertificateRecord[], touched: ReadonlySet<string>): CertificateRecord[] {
  const latest = new Map<string, CertificateRecord>();
  for (const c of recorded) {
    const prior = latest.get(c.path);
    if (!prior || Date.parse(c.mergedAt) >= Date.parse(prior.mergedAt)) latest.set(c.path, c);
  }
  return [...latest.values()].filter((c) => !touched.has(c.path) && !c.errors.some((e) => e.code === "removed"));
}

/** A recorded certificate as a layout input: it takes part in the duplicate checks without being re-judged. */
function asReport(c: CertificateRecord): FileReport {
  return {
    path: c.path,
    verdict: c.verdict,
    certificate: c.fingerprintSha256
      ? {
          subject: "",
          issuer: "",
          brand: null,
          notBefore: "",
          notAfter: c.notAfter ?? "",
          fingerprintSha256: c.fingerprintSha256,
          chain: [],
        }
      : null,
    errors: [],
    warnings: [],
  };
}

/**
 * What a merged certificate PR gives each device: the app's own verdict on the merged bytes
 * (the library, at the merge time, with the request's device list), never the PR check's.
 * Removed files leave their device without a certificate. Pure: the bytes were fetched already.
 */
export function certificatesFromMerge(input: MergeInput): CertificateRecord[] {
  const at = new Date(input.mergedAt);
  const fresh: FileReport[] = [];
  const removed: string[] = [];
  for (const file of input.files) {
    if (file.bytes === null) removed.push(file.path);
    else
      fresh.push(
        validateCertificateBytes(file.bytes, { path: file.path, trust: input.trust, at, warnDays: input.warnDays }),
      );
  }
  const freshDevices = new Set(
    fresh
      .map((r) => parseCertificatePath(r.path, input.pattern))
      .filter((p) => p !== null)
      .map((p) => deviceKey(p.device)),
  );
  const touched = new Set([...fresh.map((r) => r.path), ...removed]);
  const others = stillOnBranch(input.recorded, touched).map(asReport);
  const laid = applyLayout([...fresh, ...others], {
    pattern: input.pattern,
    devicesByRequest: new Map([[input.request, [...input.devices]]]),
  }).slice(0, fresh.length);

  const canonical = (device: string) => input.devices.find((d) => deviceKey(d) === deviceKey(device));
  const out: CertificateRecord[] = [];
  for (const report of laid) {
    const device = report.device !== undefined ? canonical(report.device) : undefined;
    if (!device || report.request !== input.request) continue; // not one of this request's devices: the PR check said so
    out.push({
      device,
      path: report.path,
      fingerprintSha256: report.certificate?.fingerprintSha256 ?? null,
      pr: input.pr,
      mergedCommit: input.mergedCommit,
      mergedAt: input.mergedAt,
      verdict: report.verdict,
      errors: report.errors.slice(0, MAX_ERRORS).map((e) => ({ code: e.code, message: e.message.slice(0, 300) })),
      ...(report.certificate?.notAfter ? { notAfter: report.certificate.notAfter } : {}),
    });
  }
  for (const path of removed) {
    const parsed = parseCertificatePath(path, input.pattern);
    const device = parsed && parsed.request === input.request ? canonical(parsed.device) : undefined;
    if (!device || freshDevices.has(deviceKey(device))) continue;
    out.push({
      device,
      path,
      fingerprintSha256: null,
      pr: input.pr,
      mergedCommit: input.mergedCommit,
      mergedAt: input.mergedAt,
      verdict: "invalid",
      errors: [{ code: "removed", message: `the certificate file was removed in #${input.pr}` }],
    });
  }
  return out;
}
