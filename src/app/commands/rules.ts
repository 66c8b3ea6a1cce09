import type { Stage } from "../../record/schema.js";
import { devicesNeedingTokens } from "../../record/tokens.js";
import { deviceKey } from "../../request/device-id.js";
import type { FoldState } from "../state/types.js";
import { refusal, type CommandRefusal } from "./refusals.js";

/**
 * One rule a command: whether it may run now, given the replayed state at the line's position.
 * The shared gates (reviewer, requester, rejected) ran before (`authorize.ts`); a rule sees only
 * what is particular to its command. Pure.
 */

export type Action =
  | { kind: "check"; item: string; note?: string }
  | { kind: "uncheck"; item: string; reason?: string }
  | { kind: "approve"; note?: string }
  | { kind: "revoke"; reason: string }
  | { kind: "hold"; reason: string }
  | { kind: "unhold" }
  | { kind: "reject"; reason: string }
  | { kind: "reissue"; devices: string[]; reason: string }
  | { kind: "revoke-tokens"; devices: string[]; reason: string }
  | { kind: "revoke-access"; reason: string }
  | { kind: "recertify"; note?: string }
  | { kind: "keys-received" }
  | { kind: "status" }
  | { kind: "help" };

export type Decision = { ok: true; action: Action } | ({ ok: false } & CommandRefusal);

export interface RuleInput {
  state: FoldState;
  checklistItems: readonly string[];
  /** The command's arguments, split once. */
  args: CommandArguments;
  /**
   * An approval that was bound to a request when first accepted, and that request is still
   * known: it approves that request even if the form is broken now (edits after approval are
   * not applied), so the rule reads the stage as certification.
   */
  boundApproval: boolean;
  /** Ticked items that do not count for the request being approved (a reviewed field changed). */
  staleItems: ReadonlySet<string>;
}

export interface CommandArguments {
  /** The first word (an item, a device, `all`), "" when there is none. */
  first: string;
  /** Whether more words follow the first. */
  more: boolean;
  /** Everything after the first word, trimmed. */
  remainder: string;
  /** The whole argument text, trimmed; undefined when empty. */
  note: string | undefined;
}

export type Rule = (input: RuleInput) => Decision;

export function splitArguments(args: string): CommandArguments {
  const [first = "", ...rest] = args.split(/\s+/).filter(Boolean);
  const remainder = args.slice(args.indexOf(first) + first.length).trim();
  return { first, more: rest.length > 0, remainder, note: args.trim() || undefined };
}

const OPEN_STAGES: readonly Stage[] = ["requested", "certification"];

function accept(action: Action): Decision {
  return { ok: true, action };
}

function refuse(r: CommandRefusal): Decision {
  return { ok: false, ...r };
}

function onHold(state: FoldState): Decision | null {
  if (!state.hold) return null;
  return refuse(refusal("on-hold", { by: state.hold.by, at: state.hold.at, reason: state.hold.reason }));
}

/** The item a `/check` or `/uncheck` names, when it names a configured one in an open stage. */
function checklistItem(input: RuleInput, command: "check" | "uncheck"): { item: string } | Decision {
  const { first } = input.args;
  if (!first) return refuse(refusal("item-missing", { items: input.checklistItems }));
  const item = first.toLowerCase();
  if (!input.checklistItems.includes(item))
    return refuse(refusal("unknown-item", { given: first, items: input.checklistItems }));
  if (!OPEN_STAGES.includes(input.state.stage))
    return refuse(refusal("wrong-stage", { stage: input.state.stage, command }));
  return { item };
}

export const checkRule: Rule = (input) => {
  const named = checklistItem(input, "check");
  if ("ok" in named) return named;
  const held = onHold(input.state);
  if (held) return held;
  const ticked = input.state.checklist.get(named.item);
  if (ticked && !input.staleItems.has(named.item))
    return refuse(refusal("already-ticked", { item: named.item, by: ticked.by, at: ticked.at }));
  const { remainder } = input.args;
  return accept({ kind: "check", item: named.item, ...(remainder ? { note: remainder } : {}) });
};

export const uncheckRule: Rule = (input) => {
  const named = checklistItem(input, "uncheck");
  if ("ok" in named) return named;
  if (!input.state.checklist.has(named.item)) return refuse(refusal("not-ticked", { item: named.item }));
  const { remainder } = input.args;
  return accept({ kind: "uncheck", item: named.item, ...(remainder ? { reason: remainder } : {}) });
};

export const approveRule: Rule = (input) => {
  const { state } = input;
  const stage = input.boundApproval && state.stage === "requested" ? "certification" : state.stage;
  if (stage === "requested") return refuse(refusal("form-invalid", {}));
  if (stage !== "certification") return refuse(refusal("wrong-stage", { stage, command: "approve-certification" }));
  const held = onHold(state);
  if (held) return held;
  const missing = input.checklistItems.filter((i) => !state.checklist.has(i) || input.staleItems.has(i));
  if (missing.length) return refuse(refusal("items-open", { items: missing }));
  const { note } = input.args;
  return accept({ kind: "approve", ...(note ? { note } : {}) });
};

export const revokeRule: Rule = ({ state, args }) => {
  if (!args.note) return refuse(refusal("reason-missing", { command: "revoke-certification" }));
  if (!state.certification) return refuse(refusal("not-approved", {}));
  if (state.issuance.length > 0) return refuse(refusal("tokens-issued", {}));
  return accept({ kind: "revoke", reason: args.note });
};

export const holdRule: Rule = ({ state, args }) => {
  if (!args.note) return refuse(refusal("reason-missing", { command: "hold" }));
  if (state.hold) return refuse(refusal("already-on-hold", { by: state.hold.by, at: state.hold.at }));
  return accept({ kind: "hold", reason: args.note });
};

export const unholdRule: Rule = ({ state }) => {
  if (!state.hold) return refuse(refusal("not-on-hold", {}));
  return accept({ kind: "unhold" });
};

export const rejectRule: Rule = ({ state, args }) => {
  if (!args.note) return refuse(refusal("reason-missing", { command: "reject" }));
  if (state.stage === "live") return refuse(refusal("live", {}));
  return accept({ kind: "reject", reason: args.note });
};

export const reissueRule: Rule = ({ state, args }) => {
  const issuedBefore = state.issuance.length > 0;
  if (state.stage !== "live" && !(state.stage === "tokens" && issuedBefore))
    return refuse(refusal("wrong-stage", { stage: state.stage, command: "reissue-tokens" }));
  const held = onHold(state);
  if (held) return held;
  if (!args.first || !args.more) return refuse(refusal("reissue-arguments", {}));
  const all = args.first.toLowerCase() === "all";
  const known = state.request?.devices ?? [];
  const named = all ? [...known] : known.filter((d) => deviceKey(d) === deviceKey(args.first)).slice(0, 1);
  if (named.length === 0) return refuse(refusal("unknown-device", { given: args.first, devices: known }));
  const view = { request: state.request, certificates: state.certificates, issuance: state.issuance };
  const waiting = new Set(devicesNeedingTokens({ ...view, reissueRequested: state.reissue }).map(deviceKey));
  const devices = named.filter((d) => !waiting.has(deviceKey(d)));
  if (devices.length === 0) return refuse(refusal("already-waiting", { given: args.first, all }));
  return accept({ kind: "reissue", devices, reason: args.remainder });
};

/**
 * `/revoke-tokens DEVICE|all REASON` (a reviewer or the requester: revoking is always safe):
 * every token of the named devices that is not revoked yet. Refused without a device and a
 * reason, for a device the request does not have, and when there is nothing to revoke.
 */
export const revokeTokensRule: Rule = ({ state, args }) => {
  if (!args.first || !args.more) return refuse(refusal("revoke-arguments", {}));
  const all = args.first.toLowerCase() === "all";
  const known = state.request?.devices ?? [];
  const named = all ? [...known] : known.filter((d) => deviceKey(d) === deviceKey(args.first)).slice(0, 1);
  if (named.length === 0) return refuse(refusal("unknown-device", { given: args.first, devices: known }));
  const devices = named.filter((d) => unrevokedTokens(state, d).length > 0);
  if (devices.length === 0) return refuse(refusal("nothing-to-revoke", { given: args.first, all }));
  return accept({ kind: "revoke-tokens", devices, reason: args.remainder });
};

/**
 * `/revoke-access REASON` (a reviewer): every token revoked, access ended for good. Only once
 * tokens were issued: before that there is no access to end, and `/reject` ends the request.
 */
export const revokeAccessRule: Rule = ({ state, args }) => {
  if (state.issuance.length === 0)
    return refuse(refusal("wrong-stage", { stage: state.stage, command: "revoke-access" }));
  if (!args.note) return refuse(refusal("reason-missing", { command: "revoke-access" }));
  return accept({ kind: "revoke-access", reason: args.note });
};

/** The device's issued tokens not revoked yet (tokens are told apart by `jti`). */
export function unrevokedTokens(state: Pick<FoldState, "issuance" | "revocations">, device: string) {
  const revoked = new Set(state.revocations.map((r) => r.jti));
  return state.issuance.filter((t) => deviceKey(t.device) === deviceKey(device) && t.jti && !revoked.has(t.jti));
}

/**
 * `/recertify [note]` (a reviewer who is not the requester): the periodic access review, done.
 * Only once tokens were issued: before that the request has no access to review.
 */
export const recertifyRule: Rule = ({ state, args }) => {
  if (state.issuance.length === 0) return refuse(refusal("wrong-stage", { stage: state.stage, command: "recertify" }));
  return accept({ kind: "recertify", ...(args.note ? { note: args.note } : {}) });
};

/** `/keys-received` (the requester): the effect is the removal of option 2's key comments (src/app/obtained/keys.ts). */
export const keysReceivedRule: Rule = () => accept({ kind: "keys-received" });
export const statusRule: Rule = () => accept({ kind: "status" });
export const helpRule: Rule = () => accept({ kind: "help" });
