import { deviceKey } from "../../request/device-id.js";
import type { Reminder } from "../../record/reminder.js";
import type { AccessRecord } from "../../record/schema.js";
import { currentCertificates, currentToken } from "../../record/tokens.js";
import { reviewNextAt } from "../../record/review.js";
import { DEFAULT_KEY_COMMENT_DAYS, nextKeyExpiry } from "../obtained/keys.js";

/**
 * The expiry watch's arithmetic (issue 19; docs/app.md "Expiry watch"), pure: which devices are
 * watched, when each is due, which reminder thresholds a sweep at a given time has crossed that
 * the record does not hold yet, and when the request must be looked at next.
 */

const DAY_MS = 86_400_000;
/** Past the due date: the device expired. Recorded and reminded once, like a threshold. */
export const EXPIRED = 0;
/** Reminders kept besides those of each device's current due date (older renewals' reminders). */
const KEEP_OLD_REMINDERS = 50;

export interface WatchedDevice {
  device: string;
  /** The earlier of the certificate's notAfter and the token's `exp`. */
  due: string;
  certificateNotAfter: string | null;
  tokenExpiresAt: string;
}

/**
 * The devices of a request that hold a live token: its current token (bound to its current valid
 * certificate), not revoked. Only a request that is live, or back in tokens for some devices, is
 * watched; an ended or rejected one never is.
 */
export function watchedDevices(record: AccessRecord): WatchedDevice[] {
  if (record.stage !== "live" && record.stage !== "tokens") return [];
  const revoked = new Set((record.revocations ?? []).map((r) => r.jti));
  const certificates = currentCertificates(record.certificates);
  const watched: WatchedDevice[] = [];
  for (const device of record.request?.devices ?? []) {
    const token = currentToken(record, device);
    if (!token || revoked.has(token.jti)) continue;
    const notAfter = certificates.get(deviceKey(device))?.notAfter ?? null;
    const due = notAfter !== null && Date.parse(notAfter) < Date.parse(token.expiresAt) ? notAfter : token.expiresAt;
    watched.push({ device, due, certificateNotAfter: notAfter, tokenExpiresAt: token.expiresAt });
  }
  return watched;
}

/** The thresholds in days, largest first, then expiry. */
function thresholds(reminderDays: readonly number[]): number[] {
  return [...new Set(reminderDays)].sort((a, b) => b - a).concat(EXPIRED);
}

/** When a threshold is crossed: `threshold` days before the due date. */
function crossingAt(due: string, threshold: number): number {
  return Date.parse(due) - threshold * DAY_MS;
}

function reminderKey(r: Pick<Reminder, "device" | "due" | "threshold">): string {
  return `${deviceKey(r.device)}\u0000${Date.parse(r.due)}\u0000${r.threshold}`;
}

/**
 * What the renewal is: a renewed certificate when the certificate itself has no more than the
 * largest threshold left at `now`; else a new token for the same certificate (only the token is due).
 */
export function renewalKind(device: WatchedDevice, now: number, reminderDays: readonly number[]): Reminder["renew"] {
  const largest = Math.max(...reminderDays);
  if (device.certificateNotAfter === null) return "token";
  return Date.parse(device.certificateNotAfter) - now <= largest * DAY_MS ? "certificate" : "token";
}

/**
 * The reminders a sweep at `now` owes: every (device, due date, threshold) crossed and not in the
 * record yet. Several crossed at once (the app was not swept for a while) are all recorded, and
 * told in one comment.
 */
export function newReminders(record: AccessRecord, now: string, reminderDays: readonly number[]): Reminder[] {
  const t = Date.parse(now);
  if (Number.isNaN(t)) return [];
  const sent = new Set((record.reminders ?? []).map(reminderKey));
  const fresh: Reminder[] = [];
  for (const device of watchedDevices(record)) {
    for (const threshold of thresholds(reminderDays)) {
      const reminder = { device: device.device, due: device.due, threshold };
      if (crossingAt(device.due, threshold) > t || sent.has(reminderKey(reminder))) continue;
      fresh.push({ ...reminder, at: now, renew: renewalKind(device, t, reminderDays) });
    }
  }
  return fresh;
}

/**
 * When the request must be looked at again: the earliest crossing of a threshold not yet
 * reminded, over its watched devices; null when there is none (nothing watched, or every
 * threshold reminded, expiry included). What the due-date index holds for the request.
 */
export function nextReminderAt(record: AccessRecord, reminderDays: readonly number[]): string | null {
  const sent = new Set((record.reminders ?? []).map(reminderKey));
  let next = Number.POSITIVE_INFINITY;
  for (const device of watchedDevices(record))
    for (const threshold of thresholds(reminderDays))
      if (!sent.has(reminderKey({ device: device.device, due: device.due, threshold })))
        next = Math.min(next, crossingAt(device.due, threshold));
  return Number.isFinite(next) ? new Date(next).toISOString() : null;
}

/**
 * When the expiry watch must look at the request again: its next renewal reminder, access-review
 * step or option-2 key comment to remove, whichever is first (null: none). What the due-date index
 * holds for it.
 */
export function watchNextAt(
  record: AccessRecord,
  reminderDays: readonly number[],
  keyCommentDays = DEFAULT_KEY_COMMENT_DAYS,
): string | null {
  const times = [
    nextReminderAt(record, reminderDays),
    reviewNextAt(record),
    nextKeyExpiry(record, keyCommentDays),
  ].filter((t): t is string => t !== null);
  return times.length ? times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : null;
}

/** Where a watched device stands after its reminders: the latest one for its current due date. */
export interface RenewalState {
  device: string;
  due: string;
  /** The last threshold reminded (0: expired). */
  threshold: number;
  renew: Reminder["renew"];
}

/** The watched devices that were reminded for their current due date (renewal due, or expired). */
export function renewalStates(record: AccessRecord): RenewalState[] {
  const reminders = record.reminders ?? [];
  if (reminders.length === 0) return [];
  const states: RenewalState[] = [];
  for (const device of watchedDevices(record)) {
    const mine = reminders.filter(
      (r) => deviceKey(r.device) === deviceKey(device.device) && Date.parse(r.due) === Date.parse(device.due),
    );
    if (mine.length === 0) continue;
    const latest = mine.reduce((a, b) => (b.threshold < a.threshold ? b : a));
    states.push({ device: device.device, due: device.due, threshold: latest.threshold, renew: latest.renew });
  }
  return states;
}

/**
 * The record's reminders, bounded: every one for a watched device's current due date (what keeps
 * them from being sent again), and the newest KEEP_OLD_REMINDERS others (renewals done since).
 */
export function boundReminders(record: AccessRecord, reminders: readonly Reminder[]): Reminder[] {
  const current = new Set(watchedDevices(record).map((d) => `${deviceKey(d.device)}\u0000${Date.parse(d.due)}`));
  const isCurrent = (r: Reminder) => current.has(`${deviceKey(r.device)}\u0000${Date.parse(r.due)}`);
  const old = reminders.filter((r) => !isCurrent(r)).slice(-KEEP_OLD_REMINDERS);
  return reminders.filter((r) => isCurrent(r) || old.includes(r));
}
