import type { DeliveryJwk } from "../../src/delivery/delivery-jwk.js";
import { currentCertificates, thumbprintFromFingerprint, type AccessRecord } from "../../src/record/index.js";
import { deviceKey } from "../../src/request/device-id.js";
import type { RecordLookup } from "../issue-tokens/1-load.js";
import {
  accountProblem,
  certificationProblems,
  requestRecord,
  refusal,
  runProblems,
  type Refusal,
  type RequestCheckInput,
  type RunCheckInput,
  type SharedRefusalCode,
} from "../request-checks.js";

/**
 * Step 2 of mode `obtain-certificates` (pure; docs/option-2.md): whether to obtain certificates
 * for the request, and for which devices — from the app's signed record only. The run must be the
 * configured obtain workflow, dispatched by hand on the default branch; the request certified by
 * someone other than the requester, for option 2, with the delivery key of the approved form.
 * Devices that have a valid merged certificate (unless the expiry watch reminded it is due: a
 * renewal), or a certificate obtained and not yet merged (`obtained` in the record), are not
 * ordered again: re-running orders only what is missing.
 */

export type ObtainRefusalCode =
  | SharedRefusalCode
  | "not-a-request"
  | "records-unconfigured"
  | "ledger-unprotected"
  | "no-record"
  | "record-unverified"
  | "not-configured"
  | "rejected"
  | "access-ended"
  | "on-hold"
  | "not-option-2"
  | "no-delivery-key"
  | "no-devices";

export type ObtainRefusal = Refusal<ObtainRefusalCode>;

export interface DeviceTarget {
  device: string;
  /** Where its certificate goes (`certificates.pathPattern`). */
  path: string;
}

export type ObtainDecision =
  | { kind: "refuse"; reasons: ObtainRefusal[] }
  | { kind: "nothing"; reason: string }
  | { kind: "obtain"; account: string; deliveryKey: DeliveryJwk; devices: DeviceTarget[] };

export interface ObtainInput extends RunCheckInput, RequestCheckInput {
  record: RecordLookup;
  /** `certificates.onBehalf` is configured. */
  configured: boolean;
  pathPattern: string;
}

const WHAT = "certificates are obtained";

export function decideObtain(input: ObtainInput): ObtainDecision {
  const early: ObtainRefusal[] = [...runProblems(input, WHAT)];
  if (!input.configured)
    early.push(
      refusal(
        "not-configured",
        "certificates.onBehalf is not configured: the CA's ACME directory and identifier template are missing",
      ),
    );
  const checked = requestRecord(input, early);
  if (!checked.ok) return { kind: "refuse", reasons: checked.reasons };
  const { record, reasons } = checked;
  reasons.push(...finalProblems(record), ...certificationProblems(record, input.issue), ...optionProblems(record));
  const account = accountProblem(record);
  if (account) reasons.push(account);
  if (reasons.length > 0) return { kind: "refuse", reasons };
  return whatToObtain(record, input.pathPattern);
}

function finalProblems(record: AccessRecord): ObtainRefusal[] {
  if (record.rejection || record.stage === "rejected") return [refusal("rejected", "the request was rejected")];
  if (record.ended || record.stage === "ended") return [refusal("access-ended", "the request's access was ended")];
  if (record.hold)
    return [
      refusal(
        "on-hold",
        `the request is on hold (${record.hold.by}: ${record.hold.reason}); a reviewer lifts it with /unhold`,
      ),
    ];
  return [];
}

/** The approved request must ask for option 2 and carry the delivery key the keys are encrypted to. */
function optionProblems(record: AccessRecord): ObtainRefusal[] {
  const request = record.request;
  if (!request) return [];
  if (request.certificateOption !== 2)
    return [
      refusal(
        "not-option-2",
        "the approved request chose option 1: the customer provides its own certificates, OneRecord obtains none",
      ),
    ];
  if (!request.deliveryKey)
    return [
      refusal("no-delivery-key", "the approved request carries no delivery public key: nothing could be delivered"),
    ];
  if (request.devices.length === 0) return [refusal("no-devices", "the record lists no devices for the request")];
  return [];
}

/**
 * The expiry watch reminded the device that its current certificate is due (issue 19): a renewal
 * is a new certificate, obtained like the first (the old one stays until the new one is merged).
 */
function renewalDue(record: AccessRecord, device: string): boolean {
  const current = currentCertificates(record.certificates).get(deviceKey(device));
  if (!current?.notAfter) return false;
  const due = Date.parse(current.notAfter);
  return (record.reminders ?? []).some(
    (r) => r.renew === "certificate" && deviceKey(r.device) === deviceKey(device) && Date.parse(r.due) === due,
  );
}

function whatToObtain(record: AccessRecord, pattern: string): ObtainDecision {
  const request = record.request!;
  const current = currentCertificates(record.certificates);
  // Obtained, and its certificate not merged yet (no merged file of the device is that certificate).
  const mergedPrints = new Set(
    record.certificates.flatMap((c) => (c.fingerprintSha256 ? [thumbprintFromFingerprint(c.fingerprintSha256)] : [])),
  );
  const pending = new Set(
    (record.obtained ?? []).filter((o) => !mergedPrints.has(o.x5tS256)).map((o) => deviceKey(o.device)),
  );
  const devices = request.devices
    .filter(
      (d) => (current.get(deviceKey(d))?.verdict !== "valid" || renewalDue(record, d)) && !pending.has(deviceKey(d)),
    )
    .map((device) => ({
      device,
      path: pattern.replace("{request}", String(record.issue)).replace("{device}", device),
    }));
  if (devices.length === 0)
    return {
      kind: "nothing",
      reason:
        "every device has a valid certificate not due for renewal, or one obtained and waiting for its pull request to be merged",
    };
  return { kind: "obtain", account: request.account, deliveryKey: request.deliveryKey!, devices };
}
