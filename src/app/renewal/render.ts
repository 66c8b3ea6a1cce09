import type { AccessConfig } from "../../config/schema.js";
import type { Reminder } from "../../record/reminder.js";
import type { AccessRecord } from "../../record/schema.js";
import { formatTime, inlineCode, mention } from "../render/markdown.js";
import { EXPIRED, renewalStates, type RenewalState } from "./due.js";

/**
 * The words of the expiry watch: the reminder comment (a new comment, so its mention notifies the
 * requester; an edit would notify nobody) and the status comment's *Renewal* section. Every value
 * from a person (device ids, the requester's login) goes through the Markdown escapers.
 */

/** Marks the app's reminder comments (a bot comment the app never reads back). */
export const REMINDER_MARKER = "<!-- onerecord-access:reminder -->";

/** What to do for one device, in words. */
function advice(record: AccessRecord, config: AccessConfig, state: Pick<RenewalState, "device" | "renew">): string {
  const device = inlineCode(state.device);
  if (state.renew === "certificate" && record.request?.certificateOption === 2)
    return (
      `a new certificate for ${device}, obtained by OneRecord as the first one (option 2): a OneRecord maintainer ` +
      `runs the ${inlineCode(config.certificates.onBehalf?.workflow ?? "obtain-certificates.yml")} workflow; its key comes ` +
      "encrypted to your delivery key, the app opens the pull request, and once it is merged a new token follows"
    );
  if (state.renew === "certificate") {
    const path = config.certificates.pathPattern
      .replace("{request}", String(record.issue))
      .replace("{device}", state.device);
    return (
      `renew the certificate of ${device}: commit the renewed certificate at ${inlineCode(path)} in a pull ` +
      "request, as for the first one; once it is merged and re-validated, a new token for it follows"
    );
  }
  return (
    `a new token for ${device}, for the same certificate (it stays valid): nothing to commit; OneRecord issues it ` +
    `with the token workflow (a reviewer asks for it with ${inlineCode(`/reissue-tokens ${state.device} renewal`)})`
  );
}

function when(state: Pick<RenewalState, "due" | "threshold">): string {
  return state.threshold === EXPIRED
    ? `**expired** on ${formatTime(state.due)}`
    : `**renewal due** by ${formatTime(state.due)}`;
}

/** The requester's reminder for the reminders first recorded now: one comment, one line per device. */
export function reminderComment(record: AccessRecord, config: AccessConfig, fresh: readonly Reminder[]): string {
  // The most urgent threshold per device: several crossed at once are told once.
  const byDevice = new Map<string, Reminder>();
  for (const r of fresh) {
    const seen = byDevice.get(r.device);
    if (!seen || r.threshold < seen.threshold) byDevice.set(r.device, r);
  }
  const lines = [...byDevice.values()].map(
    (r) => `- ${inlineCode(r.device)}: ${when(r)}. To do: ${advice(record, config, r)}.`,
  );
  const expiredOnly = [...byDevice.values()].every((r) => r.threshold === EXPIRED);
  return [
    REMINDER_MARKER,
    `${mention(record.requester)} ${expiredOnly ? "a device of this request has expired" : "renewal due for this request"}: ` +
      "a device's certificate or token reaches its end date.",
    "",
    ...lines,
    "",
    "Devices not listed keep working. The status comment shows where each device stands.",
  ].join("\n");
}

/** The status comment's *Renewal* section: each watched device that is due or expired. */
export function renewalSection(record: AccessRecord, config: AccessConfig): string[] {
  const states = renewalStates(record);
  if (states.length === 0) return [];
  return [
    "### Renewal",
    "",
    ...states.map((s) => `- ${inlineCode(s.device)}: ${when(s)}. To do: ${advice(record, config, s)}.`),
    "",
    "The other devices stay live.",
    "",
  ];
}
