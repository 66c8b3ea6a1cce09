import type { AccessRecord, CommandName } from "../../record/schema.js";
import { COMMANDS, commandSpec } from "./catalog.js";

/**
 * What one person may run on a request as it stands now, for `/help`: the catalogue's
 * commands filtered by the same gates `authorize` and the rules apply (reviewer, requester,
 * rejected, stage, hold, ticks, approval, issued tokens), with `/check` and `/uncheck` spelled
 * out per configured checklist item. A reviewer's command that does not apply now is listed
 * under `later` with when it works, so the answer says why it is missing. Pure.
 */

export interface HelpView {
  record: Pick<AccessRecord, "stage" | "hold" | "checklist" | "certification" | "issuance" | "revocations"> &
    Partial<Pick<AccessRecord, "request" | "obtained">>;
  checklistItems: readonly string[];
  reviewer: boolean;
  requester: boolean;
}

export interface AvailableCommand {
  name: CommandName;
  /** The line to post, with the checklist item filled in for `/check` and `/uncheck`. */
  usage: string;
  /** The checklist item the line names. */
  item?: string;
}

export interface LaterCommand {
  name: CommandName;
  when: string;
}

const OPEN_STAGES = new Set(["requested", "certification"]);

/** Why a reviewer's command does not apply now, or null when it does (item commands aside). */
function notNow(name: CommandName, view: HelpView): string | null {
  const { record } = view;
  const { stage, hold } = record;
  const ticked = new Set(record.checklist.map((c) => c.item));
  const open = view.checklistItems.filter((i) => !ticked.has(i));
  switch (name) {
    case "check":
      if (!OPEN_STAGES.has(stage)) return "while the request is in certification";
      if (hold) return "once the hold is lifted";
      return open.length ? null : "when an item is unticked";
    case "uncheck":
      if (!OPEN_STAGES.has(stage)) return "while the request is in certification";
      return ticked.size ? null : "once an item is ticked";
    case "approve-certification":
      if (stage !== "certification")
        return stage === "requested" ? "once the form is valid and every checklist item is ticked" : "at certification";
      if (hold) return "once the hold is lifted";
      return open.length ? "once every checklist item is ticked" : null;
    case "revoke-certification":
      if (!record.certification) return "once certification is approved";
      return record.issuance.length ? "not once tokens were issued" : null;
    case "hold":
      return hold ? "once the hold is lifted" : null;
    case "unhold":
      return hold ? null : "while the request is on hold";
    case "reject":
      return stage === "live" ? "not while live (revoke its tokens first)" : null;
    case "reissue-tokens":
      if (stage !== "live" && !(stage === "tokens" && record.issuance.length))
        return commandSpec(name).worksWhen ?? "once tokens were issued";
      return hold ? "once the hold is lifted" : null;
    case "revoke-access":
    case "recertify":
      return record.issuance.length ? null : "once tokens were issued";
    case "keys-received":
      return record.obtained?.length ? null : "once OneRecord posted your devices' keys";
    case "revoke-tokens": {
      const revoked = new Set((record.revocations ?? []).map((r) => r.jti));
      return record.issuance.some((t) => t.jti && !revoked.has(t.jti)) ? null : "once a token was issued";
    }
    default:
      return null;
  }
}

export function availableCommands(view: HelpView): { now: AvailableCommand[]; later: LaterCommand[] } {
  const now: AvailableCommand[] = [];
  const later: LaterCommand[] = [];
  const ticked = new Set(view.record.checklist.map((c) => c.item));
  for (const spec of COMMANDS) {
    if (spec.who !== "anyone") {
      if (spec.who === "reviewer" && (!view.reviewer || (spec.notRequester && view.requester))) continue;
      if (spec.who === "reviewer-or-requester" && !view.reviewer && !view.requester) continue;
      // Only the requester receives keys; and only on an option-2 request.
      if (spec.who === "requester" && (!view.requester || view.record.request?.certificateOption !== 2)) continue;
      // Nothing changes on a rejected or ended request: only /status and /help remain.
      if (view.record.stage === "rejected" || view.record.stage === "ended") continue;
      const why = notNow(spec.name, view);
      if (why) {
        later.push({ name: spec.name, when: why });
        continue;
      }
    }
    if (spec.name === "check" || spec.name === "uncheck") {
      const items = view.checklistItems.filter((i) => (spec.name === "check") !== ticked.has(i));
      const rest = spec.name === "check" ? "[note]" : "[reason]";
      for (const item of items) now.push({ name: spec.name, usage: `/${spec.name} ${item} ${rest}`, item });
      continue;
    }
    now.push({ name: spec.name, usage: spec.usage });
  }
  return { now, later };
}
