import type { AccessRecord } from "../../record/schema.js";
import { currentToken, newestTokenPerDevice } from "../../record/tokens.js";
import { deviceKey } from "../../request/device-id.js";
import { renewalStates } from "../renewal/due.js";

/**
 * Each device's state after live (issue 19; ../shared/SPEC.md H), as its status comment shows it,
 * from the record alone. Pure. In order of precedence:
 * - `revoked`: its newest token was revoked (`/revoke-tokens`, `/revoke-access`);
 * - `expired`: the expiry watch recorded that its certificate or token ran out;
 * - `suspended`: its token is live but the access review is overdue past its grace;
 * - `awaiting token`: no token bound to its current certificate yet (a renewal, a reissue);
 * - `renewal due`: the expiry watch reminded of its coming due date;
 * - `live`: it holds a live token.
 * Null before the device ever got a token.
 */
export type DeviceState = "live" | "renewal due" | "awaiting token" | "expired" | "revoked" | "suspended";

export function deviceStates(record: AccessRecord): Array<{ device: string; state: DeviceState; expiresAt?: string }> {
  const newest = newestTokenPerDevice(record.issuance);
  const revoked = new Set((record.revocations ?? []).map((r) => r.jti));
  const renewal = new Map(renewalStates(record).map((r) => [deviceKey(r.device), r]));
  const out: Array<{ device: string; state: DeviceState; expiresAt?: string }> = [];
  for (const device of record.request?.devices ?? []) {
    const token = newest.get(deviceKey(device));
    if (!token) continue;
    const reminded = renewal.get(deviceKey(device));
    const state: DeviceState =
      token.jti && revoked.has(token.jti)
        ? "revoked"
        : reminded?.threshold === 0
          ? "expired"
          : record.review?.state === "suspended"
            ? "suspended"
            : !currentToken(record, device)
              ? "awaiting token"
              : reminded
                ? "renewal due"
                : "live";
    out.push({ device, state, expiresAt: token.expiresAt });
  }
  return out;
}
