import type { CommandName, Stage } from "../../record/schema.js";
import { deviceKey } from "../../request/device-id.js";
import { devicesNeedingTokens } from "../../record/tokens.js";
import { escapeText, formatTime, inlineCode } from "../render/markdown.js";
import type { FoldState } from "../state/types.js";
import { commandSpec } from "./catalog.js";

/** A command line as `authorize` sees it: who ran it and whether they were a reviewer then. */
export interface CommandInput {
  name: CommandName;
  args: string;
  by: string;
  reviewer: boolean;
}

export interface AuthorizeContext {
  checklistItems: readonly string[];
  requester: string;
}

export type Action =
  | { kind: "check"; item: string; note?: string }
  | { kind: "uncheck"; item: string; reason?: string }
  | { kind: "approve"; note?: string }
  | { kind: "revoke"; reason: string }
  | { kind: "hold"; reason: string }
  | { kind: "unhold" }
  | { kind: "reject"; reason: string }
  | { kind: "reissue"; devices: string[]; reason: string }
  | { kind: "status" }
  | { kind: "help" };

export type Decision = { ok: true; action: Action } | { ok: false; reason: string };

const OPEN_STAGES: readonly Stage[] = ["requested", "certification"];

/**
 * Who may run what in which state. Pure: the reviewer flag was resolved (team membership or
 * configured login) when the line was first seen, and the state is the replayed one at the
 * line's position in the history. Reasons are Markdown, safe to post.
 */
export function authorize(command: CommandInput, state: FoldState, context: AuthorizeContext): Decision {
  const spec = commandSpec(command.name);
  if (command.name === "status") return { ok: true, action: { kind: "status" } };
  if (command.name === "help") return { ok: true, action: { kind: "help" } };

  if (spec.who === "reviewer" && !command.reviewer) {
    return refuse(
      `only reviewers can run ${inlineCode(`/${command.name}`)} (members of the configured reviewer teams, or the configured reviewer logins)`,
    );
  }
  if (spec.notRequester && sameLogin(command.by, context.requester)) {
    return refuse("you opened this request, so you cannot advance it yourself: another reviewer has to");
  }
  if (state.stage === "rejected")
    return refuse(
      `the request was rejected${state.rejection ? ` by ${escapeText(state.rejection.by)} on ${formatTime(state.rejection.at)}` : ""}; nothing changes any more`,
    );

  const [first = "", ...rest] = command.args.split(/\s+/).filter(Boolean);
  const remainder = command.args.slice(command.args.indexOf(first) + first.length).trim();
  const note = command.args.trim() || undefined;

  switch (command.name) {
    case "check":
    case "uncheck": {
      if (!first) return refuse(`name the item: one of ${itemList(context)}`);
      const item = first.toLowerCase();
      if (!context.checklistItems.includes(item))
        return refuse(`${inlineCode(first)} is not a checklist item: use one of ${itemList(context)}`);
      if (!OPEN_STAGES.includes(state.stage))
        return refuse(
          stageRefusal(state.stage, "while the request is in certification (or still being requested)", command.name),
        );
      const ticked = state.checklist.get(item);
      if (command.name === "check") {
        if (state.hold) return refuse(holdRefusal(state));
        if (ticked)
          return refuse(
            `${inlineCode(item)} is already ticked (by ${escapeText(ticked.by)} on ${formatTime(ticked.at)})`,
          );
        return { ok: true, action: { kind: "check", item, ...(remainder ? { note: remainder } : {}) } };
      }
      if (!ticked) return refuse(`${inlineCode(item)} is not ticked`);
      return { ok: true, action: { kind: "uncheck", item, ...(remainder ? { reason: remainder } : {}) } };
    }
    case "approve-certification": {
      if (state.stage === "requested")
        return refuse(
          "the request form is not valid yet: the requester has to fix what the status comment lists first",
        );
      if (state.stage !== "certification")
        return refuse(stageRefusal(state.stage, "while the request is in certification", command.name));
      if (state.hold) return refuse(holdRefusal(state));
      const missing = context.checklistItems.filter((i) => !state.checklist.has(i));
      if (missing.length)
        return refuse(`these checklist items are not ticked yet: ${missing.map((i) => inlineCode(i)).join(", ")}`);
      return { ok: true, action: { kind: "approve", ...(note ? { note } : {}) } };
    }
    case "revoke-certification": {
      if (!note) return refuse("give a reason: `/revoke-certification REASON`");
      if (!state.certification) return refuse("certification is not approved, so there is nothing to revoke");
      if (state.issuance.length > 0)
        return refuse("tokens were already issued for this request; use `/reject` (or `/reissue-tokens`) instead");
      return { ok: true, action: { kind: "revoke", reason: note } };
    }
    case "hold": {
      if (!note) return refuse("give a reason: `/hold REASON`");
      if (state.hold)
        return refuse(
          `the request is already on hold (by ${escapeText(state.hold.by)} on ${formatTime(state.hold.at)})`,
        );
      return { ok: true, action: { kind: "hold", reason: note } };
    }
    case "unhold": {
      if (!state.hold) return refuse("the request is not on hold");
      return { ok: true, action: { kind: "unhold" } };
    }
    case "reject": {
      if (!note) return refuse("give a reason: `/reject REASON`");
      if (state.stage === "live")
        return refuse("the request is live: its tokens were issued (revoke them with the token tooling, then reject)");
      return { ok: true, action: { kind: "reject", reason: note } };
    }
    case "reissue-tokens": {
      const issuedBefore = state.issuance.length > 0;
      if (state.stage !== "live" && !(state.stage === "tokens" && issuedBefore)) {
        return refuse(
          stageRefusal(
            state.stage,
            "once tokens were issued (stage live, or tokens after a first issuance)",
            command.name,
          ),
        );
      }
      if (state.hold) return refuse(holdRefusal(state));
      if (!first || rest.length === 0)
        return refuse("name the device (or `all`) and give a reason: `/reissue-tokens DEVICE|all REASON`");
      const all = state.request?.devices ?? [];
      let devices: string[];
      if (first.toLowerCase() === "all") devices = [...all];
      else {
        const match = all.find((d) => deviceKey(d) === deviceKey(first));
        if (!match) return refuse(`${inlineCode(first)} is not one of this request's devices (${deviceList(all)})`);
        devices = [match];
      }
      const waiting = new Set(
        devicesNeedingTokens({
          request: state.request,
          certificates: state.certificates,
          issuance: state.issuance,
          reissueRequested: state.reissue,
        }).map(deviceKey),
      );
      devices = devices.filter((d) => !waiting.has(deviceKey(d)));
      if (devices.length === 0)
        return refuse(
          first.toLowerCase() === "all"
            ? "every device is already waiting for a new token"
            : `${inlineCode(first)} is already waiting for a new token`,
        );
      return { ok: true, action: { kind: "reissue", devices, reason: remainder } };
    }
  }
}

function refuse(reason: string): Decision {
  return { ok: false, reason };
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The request's devices for a refusal, shortened for large requests. */
function deviceList(devices: readonly string[]): string {
  const shown = devices
    .slice(0, 10)
    .map((d) => inlineCode(d))
    .join(", ");
  return devices.length > 10 ? `${shown}, … ${devices.length} in all` : shown || "none";
}

function itemList(context: AuthorizeContext): string {
  return context.checklistItems.map((i) => inlineCode(i)).join(", ");
}

function holdRefusal(state: FoldState): string {
  const hold = state.hold!;
  return `the request is on hold (by ${escapeText(hold.by)} on ${formatTime(hold.at)}: ${escapeText(hold.reason, 200)}); a reviewer has to \`/unhold\` it first`;
}

function stageRefusal(stage: Stage, when: string, name: CommandName): string {
  return `the request is in stage **${stage}**; ${inlineCode(`/${name}`)} works only ${when}`;
}
