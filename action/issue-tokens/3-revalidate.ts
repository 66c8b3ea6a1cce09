import { posix } from "node:path";
import { validatePaths, type FileReport, type TrustStore } from "../../src/certificates/index.js";
import { OneRecordError } from "../../src/errors.js";
import { deviceKey } from "../../src/request/device-id.js";
import { refusal, type DevicePlan, type Refusal } from "./2-decide.js";

export interface RevalidateOptions {
  /** The checkout of the default branch; nothing outside it is read (symbolic links included). */
  root: string;
  trust: TrustStore;
  /** The configured certificates.pathPattern. */
  pattern: string;
  request: number;
  /** Every device of the request: the layout flags files for anything else. */
  devices: string[];
  now: Date;
}

/**
 * The folder holding a request's certificate files: the pattern with the request filled in, up to
 * the folder of the device placeholder ("certificates/{request}/{device}.pem" → "certificates/7").
 */
export function requestFolder(pattern: string, request: number): string {
  const filled = pattern.replaceAll("{request}", String(request));
  const upToDevice = filled.slice(0, filled.indexOf("{device}"));
  const folder = posix.dirname(`${upToDevice}x`);
  // A pattern without a folder would have the whole repository read as certificates.
  if (folder === ".")
    throw new OneRecordError(
      "config-invalid",
      `certificates.pathPattern "${pattern}" must keep certificate files in a folder`,
      { field: "certificates.pathPattern" },
    );
  return folder;
}

/**
 * Step 3, the workspace edge: the library judges every file of the request's folder again, now,
 * with the layout (one file per device, one device per certificate).
 */
export async function revalidateFolder(options: RevalidateOptions): Promise<FileReport[]> {
  const report = await validatePaths([requestFolder(options.pattern, options.request)], {
    root: options.root,
    trust: options.trust,
    at: options.now,
    pattern: options.pattern,
    devicesByRequest: new Map([[options.request, options.devices]]),
  });
  return report.files;
}

/**
 * Step 3 (pure): every device's file is there, alone, at the recorded path, valid now, and holds the
 * very certificate the app recorded at merge. Anything merged since without the app seeing it, or
 * anything changed by hand on the default branch, stops the run.
 */
export function judgeRevalidation(
  plans: readonly DevicePlan[],
  files: readonly FileReport[],
  request: number,
): Refusal[] {
  const out: Refusal[] = [];
  for (const plan of plans) {
    const mine = files.filter(
      (f) => f.request === request && f.device !== undefined && deviceKey(f.device) === deviceKey(plan.device),
    );
    if (mine.length === 0) {
      out.push(
        refusal(
          "file-missing",
          `device ${plan.device}: no certificate file on the default branch (the record has ${plan.path})`,
        ),
      );
      continue;
    }
    if (mine.length > 1) {
      out.push(
        refusal(
          "file-duplicate",
          `device ${plan.device}: more than one certificate file on the default branch (${mine.map((f) => f.path).join(", ")})`,
        ),
      );
      continue;
    }
    const file = mine[0]!;
    if (posix.normalize(file.path) !== posix.normalize(plan.path)) {
      out.push(
        refusal(
          "path-mismatch",
          `device ${plan.device}: the certificate file is ${file.path}, but the record has ${plan.path}; run /status so the app re-reads the merges`,
        ),
      );
      continue;
    }
    if (file.verdict !== "valid") {
      const findings = file.errors.map((e) => `${e.code}: ${e.message}`).join("; ");
      out.push(refusal("file-invalid", `device ${plan.device}: ${file.path} does not validate now (${findings})`));
      continue;
    }
    if (
      !file.certificate ||
      file.certificate.fingerprintSha256.toUpperCase() !== plan.fingerprintSha256.toUpperCase()
    ) {
      out.push(
        refusal(
          "fingerprint-mismatch",
          `device ${plan.device}: ${file.path} holds the certificate ${file.certificate?.fingerprintSha256 ?? "(none)"}, not the one the app recorded at merge (${plan.fingerprintSha256})`,
        ),
      );
    }
  }
  return out;
}
