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
  // Recorded certificates of other devices take part in the duplicate check (one certificate
  // must not serve two devices) without being re-judged themselves.
  const others: FileReport[] = input.recorded
    .filter((c) => c.fingerprintSha256 && !freshDevices.has(deviceKey(c.device)) && !removed.includes(c.path))
    .map((c) => ({
      path: c.path,
      verdict: c.verdict,
      certificate: {
        subject: "",
        issuer: "",
        brand: null,
        notBefore: "",
        notAfter: c.notAfter ?? "",
        fingerprintSha256: c.fingerprintSha256!,
        chain: [],
      },
      errors: [],
      warnings: [],
    }));
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
