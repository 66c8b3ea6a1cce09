import type { NEEDS_NAMES } from "../../config/schema.js";
import type { AccessRecord, CertificateRecord } from "../../record/schema.js";
import { currentCertificates, devicesNeedingTokens } from "../../record/tokens.js";
import { deviceKey } from "../../request/device-id.js";

export type NeedsName = (typeof NEEDS_NAMES)[number];

/** What stands between the request and its next stage, as label names (the `needs:` labels, README "What the labels mean"). */
export function outstandingNeeds(record: AccessRecord, checklistItems: readonly string[]): NeedsName[] {
  switch (record.stage) {
    case "requested":
      return ["request-info"];
    case "certification": {
      const ticked = new Set(record.checklist.map((c) => c.item));
      return [...(checklistItems.filter((i) => !ticked.has(i)) as NeedsName[]), "certification"];
    }
    case "certificates":
      return ["certificates"];
    case "tokens":
      return ["tokens", ...reviewNeed(record)];
    case "live":
      // A live request whose renewed or reissued devices wait for their tokens.
      return [...(devicesNeedingTokens(record).length ? (["tokens"] as NeedsName[]) : []), ...reviewNeed(record)];
    default:
      return [];
  }
}

/** `needs: access-review` while the periodic review is due or overdue (src/app/state/review.ts). */
function reviewNeed(record: AccessRecord): NeedsName[] {
  return record.review && record.review.state !== "current" ? ["access-review"] : [];
}

export interface DeviceCertificateStatus {
  device: string;
  certificate: CertificateRecord | undefined;
}

/** Each device of the request with its current certificate (if any), in request order. */
export function deviceCertificates(record: AccessRecord): DeviceCertificateStatus[] {
  const current = currentCertificates(record.certificates);
  return (record.request?.devices ?? []).map((device) => ({ device, certificate: current.get(deviceKey(device)) }));
}

export function devicesWithoutValidCertificate(record: AccessRecord): DeviceCertificateStatus[] {
  return deviceCertificates(record).filter((d) => d.certificate?.verdict !== "valid");
}

export function devicesAwaitingTokens(record: AccessRecord): string[] {
  return devicesNeedingTokens(record);
}
