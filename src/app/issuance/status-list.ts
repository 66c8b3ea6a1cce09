import { createHash } from "node:crypto";
import type { AccessConfig } from "../../config/schema.js";
import type { AccessRecord } from "../../record/schema.js";
import { devicesNeedingTokens, newestTokenPerDevice } from "../../record/tokens.js";
import { deviceKey } from "../../request/device-id.js";

/**
 * A request's token status list (issue 19; draft-ietf-oauth-status-list), decided here, pure:
 * which index each token gets, and what the list says. The app signs and publishes it
 * (src/app/apply.ts) on every change, so a revocation never waits for the token environment.
 */

/** 0: valid, 1: invalid (revoked), 2: suspended — the draft's values (§7.1), in a 2-bit list. */
const VALID = 0;
const INVALID = 1;
const SUSPENDED = 2;

/** Where the request's list is served (`tokens.statusList.uri` with `{issue}`), or null when none is configured. */
export function statusListUri(config: AccessConfig, issue: number): string | null {
  const template = config.tokens.statusList?.uri;
  return template ? template.replace("{issue}", String(issue)) : null;
}

type Allocation = Pick<AccessRecord, "statusIndexes" | "statusNext">;

/**
 * The indexes allocated in the signed record before issuance: every device waiting for a token
 * has one that no issued token used, and `statusNext` only grows, so an index is never reused.
 * An allocation a token used is dropped; indexes are allocated only at the stages a token run
 * issues at (tokens, live), and only with a configured list.
 */
export function allocateStatusIndexes(record: AccessRecord, prior: AccessRecord | null, enabled: boolean): Allocation {
  if (!enabled) return carried(prior);
  const used = new Set(record.issuance.flatMap((t) => (t.statusIdx === undefined ? [] : [t.statusIdx])));
  let next = Math.max(prior?.statusNext ?? 0, ...[...used].map((i) => i + 1));
  const open = (prior?.statusIndexes ?? []).filter((a) => !used.has(a.idx));
  // Only where a token run may issue: tokens, or live (a reissue).
  const issuing = record.stage === "tokens" || record.stage === "live";
  for (const device of issuing ? devicesNeedingTokens(record) : []) {
    if (open.some((a) => deviceKey(a.device) === deviceKey(device))) continue;
    open.push({ device, idx: next++ });
  }
  return { statusIndexes: open, statusNext: next };
}

function carried(prior: AccessRecord | null): Allocation {
  return {
    ...(prior?.statusIndexes ? { statusIndexes: prior.statusIndexes } : {}),
    ...(prior?.statusNext !== undefined ? { statusNext: prior.statusNext } : {}),
  };
}

/**
 * The list's entries, one per allocated index. One live token per device (issue 19): only the
 * newest token issued for a device can be valid — every earlier one is superseded, INVALID — and
 * it too is INVALID once revoked. An index no token holds yet is VALID (nothing to refuse). The
 * live tokens are SUSPENDED while the access review is overdue past its grace. The
 * record keeps every device's newest token whole (src/app/state/bounds.ts), so its revocation
 * survives pruning; older ones are invalid by supersession whatever pruning kept of them.
 */
export function statusesOf(record: AccessRecord): number[] {
  const statuses = new Array<number>(record.statusNext ?? 0).fill(VALID);
  const revoked = new Set((record.revocations ?? []).map((r) => r.jti));
  // An access review overdue past its grace suspends the live tokens (src/app/state/review.ts).
  const suspended = record.review?.state === "suspended";
  const newest = newestTokenPerDevice(record.issuance);
  for (const t of record.issuance) {
    if (t.statusIdx === undefined || t.statusIdx >= statuses.length) continue;
    const live = newest.get(deviceKey(t.device)) === t && !!t.jti && !revoked.has(t.jti);
    statuses[t.statusIdx] = !live ? INVALID : suspended ? SUSPENDED : VALID;
  }
  return statuses;
}

/**
 * Whether the list must be (re)published now: its statuses changed since the last publication,
 * or that one is past half its lifetime (so a verifier never meets an expired list while the
 * request sees events). Null when there is nothing to publish.
 */
export function statusListToPublish(
  record: AccessRecord,
  config: AccessConfig,
  now: string,
): { uri: string; statuses: number[]; sha256: string } | null {
  const uri = statusListUri(config, record.issue);
  const list = config.tokens.statusList;
  if (!uri || !list || !record.statusNext) return null;
  const statuses = statusesOf(record);
  const sha256 = createHash("sha256").update(Uint8Array.from(statuses)).digest("hex");
  const published = record.statusPublished;
  const halfLife = (list.lifetimeDays * 86_400_000) / 2;
  const fresh = published && Date.parse(now) - Date.parse(published.at) < halfLife;
  if (published?.sha256 === sha256 && fresh) return null;
  return { uri, statuses, sha256 };
}
