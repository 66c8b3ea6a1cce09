import { posix } from "node:path";
import { DEVICE_ID_RULE, deviceKey, isValidDeviceId } from "../request/device-id.js";
import { finding } from "./findings.js";
import { displaySafe } from "./names.js";
import type { FileReport } from "./types.js";

export const DEFAULT_PATH_PATTERN = "certificates/{request}/{device}.pem";

/**
 * Ties certificate files to requests and devices: `certificates/<request>/<device>.pem` by
 * default. Pure: works on repository-relative paths with forward slashes.
 */
export function parseCertificatePath(
  path: string,
  pattern = DEFAULT_PATH_PATTERN,
): { request: number; device: string } | null {
  const match = compile(pattern).regex.exec(normalize(path));
  if (!match?.groups) return null;
  const request = Number(match.groups.request);
  const device = match.groups.device!;
  if (!Number.isSafeInteger(request) || request < 1 || !isValidDeviceId(device)) return null;
  return { request, device };
}

/** True for files the layout governs: everything under the pattern's fixed leading folders. */
export function isUnderCertificateFolder(path: string, pattern = DEFAULT_PATH_PATTERN): boolean {
  const prefix = compile(pattern).prefix;
  return prefix === "" || normalize(path).startsWith(prefix);
}

export interface LayoutOptions {
  pattern?: string;
  /** The devices of each known request; when given, unknown requests and devices are errors. */
  devicesByRequest?: Map<number, string[]>;
}

/**
 * Adds request/device to each report and the layout errors: a governed file whose name breaks
 * the pattern or names a device the request does not have (`device-mismatch`), and two files for
 * one device or one certificate for two devices (`duplicate-device`).
 */
export function applyLayout(reports: FileReport[], options: LayoutOptions = {}): FileReport[] {
  const pattern = options.pattern ?? DEFAULT_PATH_PATTERN;
  const out = reports.map((r) => ({ ...r, errors: [...r.errors] }));
  const byDevice = new Map<string, FileReport[]>();
  const byFingerprint = new Map<string, FileReport[]>();
  // File names come from the PR author: every path quoted in a message goes through displaySafe.

  for (const r of out) {
    if (!isUnderCertificateFolder(r.path, pattern)) continue;
    const parsed = parseCertificatePath(r.path, pattern);
    if (!parsed) {
      r.errors.push(
        finding(
          "device-mismatch",
          `"${displaySafe(normalize(r.path))}" does not follow ${displaySafe(pattern)} (request number, then a device id: ${DEVICE_ID_RULE})`,
        ),
      );
      continue;
    }
    r.request = parsed.request;
    r.device = parsed.device;
    const devices = options.devicesByRequest?.get(parsed.request);
    if (options.devicesByRequest && !devices) {
      r.errors.push(finding("device-mismatch", `request #${parsed.request} is not an open production-access request`));
    } else if (devices && !devices.some((d) => deviceKey(d) === deviceKey(parsed.device))) {
      r.errors.push(
        finding("device-mismatch", `device "${parsed.device}" is not one of the devices of request #${parsed.request}`),
      );
    }
    push(byDevice, `${parsed.request}/${deviceKey(parsed.device)}`, r);
    if (r.certificate) push(byFingerprint, r.certificate.fingerprintSha256, r);
  }

  for (const group of byDevice.values()) {
    if (group.length < 2) continue;
    for (const r of group)
      r.errors.push(
        finding(
          "duplicate-device",
          `device "${r.device}" of request #${r.request} has more than one certificate file: ${others(r, group)}`,
        ),
      );
  }
  for (const group of byFingerprint.values()) {
    const devices = new Set(group.map((r) => `${r.request}/${deviceKey(r.device!)}`));
    if (devices.size < 2) continue;
    for (const r of group)
      r.errors.push(
        finding(
          "duplicate-device",
          `the same certificate is used for ${group.length} files (this one and ${others(r, group)}); each device needs its own`,
        ),
      );
  }

  for (const r of out) r.verdict = r.errors.length === 0 ? "valid" : "invalid";
  return out;
}

/** How many of the other files a finding names: the rest are counted, so N files sharing a certificate print N short lines, not N lines of N paths. */
const NAMED_OTHERS = 3;

function others(r: { path: string }, group: ReadonlyArray<{ path: string }>): string {
  const rest = group.filter((g) => g !== r);
  const named = rest.slice(0, NAMED_OTHERS).map((g) => displaySafe(normalize(g.path)));
  return rest.length > NAMED_OTHERS ? `${named.join(", ")} and ${rest.length - NAMED_OTHERS} more` : named.join(", ");
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function normalize(path: string): string {
  return posix.normalize(path.replaceAll("\\", "/")).replace(/^(\.\/)+/, "");
}

const compiled = new Map<string, { regex: RegExp; prefix: string }>();

function compile(pattern: string): { regex: RegExp; prefix: string } {
  let entry = compiled.get(pattern);
  if (!entry) {
    const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const source = escaped.replace("\\{request\\}", "(?<request>[0-9]+)").replace("\\{device\\}", "(?<device>[^/]+)");
    const firstPlaceholder = Math.min(
      ...["{request}", "{device}"].map((p) => pattern.indexOf(p)).filter((i) => i >= 0),
    );
    const prefix = pattern.slice(0, firstPlaceholder).replace(/[^/]*$/, "");
    entry = { regex: new RegExp(`^${source}$`), prefix };
    compiled.set(pattern, entry);
  }
  return entry;
}
