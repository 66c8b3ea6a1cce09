import type { CommandName } from "../../record/schema.js";
import type { FoldState } from "../state/types.js";
import { samePerson, type Person } from "../state/people.js";
import { commandSpec } from "./catalog.js";
import { refusal } from "./refusals.js";
import { splitArguments, type Decision } from "./rules.js";

export type { Action, Decision } from "./rules.js";

/** A command line as `authorize` sees it: who ran it and whether they were a reviewer then. */
export interface CommandInput {
  name: CommandName;
  args: string;
  by: string;
  byId?: number | undefined;
  reviewer: boolean;
  /** Written before the form version in effect when first seen (see `CommandRecord.beforeForm`). */
  beforeForm?: boolean | undefined;
}

export interface AuthorizeContext {
  checklistItems: readonly string[];
  requester: Person;
  /** The line is an approval bound, when first accepted, to a request that is still known. */
  boundApproval?: boolean;
  /** Ticked items whose reviewed fields changed in the request being approved. */
  staleItems?: ReadonlySet<string>;
}

/**
 * Who may run what in which state. Pure: the reviewer flag was resolved (team membership or
 * configured login) when the line was first seen, and the state is the replayed one at the
 * line's position in the history. The gates every reviewer command shares come first, then the
 * command's own rule from the catalogue. A refusal is a stable code with its facts
 * (`refusals.ts`); `reply.ts` words it.
 */
export function authorize(command: CommandInput, state: FoldState, context: AuthorizeContext): Decision {
  const spec = commandSpec(command.name);
  if (spec.who === "anyone") return spec.rule(ruleInput(command, state, context));
  const requester = samePerson({ login: command.by, id: command.byId }, context.requester);
  if (spec.who === "reviewer-or-requester" && !command.reviewer && !requester)
    return { ok: false, ...refusal("not-reviewer-or-requester", { command: command.name }) };
  if (spec.who === "requester" && !requester)
    return { ok: false, ...refusal("not-requester", { command: command.name }) };
  if (spec.who === "reviewer" && !command.reviewer)
    return { ok: false, ...refusal("not-reviewer", { command: command.name }) };
  if (spec.notRequester && requester) return { ok: false, ...refusal("requester", {}) };
  if (state.stage === "rejected") {
    const by = state.rejection ? { by: state.rejection.by, at: state.rejection.at } : {};
    return { ok: false, ...refusal("rejected", by) };
  }
  if (state.stage === "ended") {
    const by = state.ended ? { by: state.ended.by, at: state.ended.at } : {};
    return { ok: false, ...refusal("ended", by) };
  }
  // A tick or approval binds to what its author saw: a line written before the form version in
  // effect cannot have seen it, whatever the order the events arrived in.
  if (command.beforeForm && (command.name === "check" || command.name === "approve-certification"))
    return { ok: false, ...refusal("form-changed", { command: command.name }) };
  return spec.rule(ruleInput(command, state, context));
}

function ruleInput(command: CommandInput, state: FoldState, context: AuthorizeContext) {
  return {
    state,
    checklistItems: context.checklistItems,
    args: splitArguments(command.args),
    boundApproval: context.boundApproval ?? false,
    staleItems: context.staleItems ?? new Set<string>(),
  };
}
