import type { CommandName } from "../../record/schema.js";

export interface CommandSpec {
  name: CommandName;
  usage: string;
  who: "reviewer" | "anyone";
  /** Reviewers who opened the request cannot run it on their own request. */
  notRequester: boolean;
  effect: string;
  precondition: string;
}

/** SPEC B, in the order `/help` lists them. `/reissue-tokens` extends it for the token workflow (SPEC D). */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "check",
    usage: "/check ITEM [note]",
    who: "reviewer",
    notRequester: true,
    effect: "ticks a certification item",
    precondition: "stage requested or certification, not on hold; ITEM is one of the configured checklist items",
  },
  {
    name: "uncheck",
    usage: "/uncheck ITEM [reason]",
    who: "reviewer",
    notRequester: false,
    effect: "unticks a certification item",
    precondition: "stage requested or certification; the item is ticked",
  },
  {
    name: "approve-certification",
    usage: "/approve-certification [note]",
    who: "reviewer",
    notRequester: true,
    effect: "approves certification: the request moves to certificates",
    precondition: "stage certification (a valid form), every checklist item ticked, not on hold",
  },
  {
    name: "revoke-certification",
    usage: "/revoke-certification REASON",
    who: "reviewer",
    notRequester: false,
    effect: "withdraws the approval: back to certification",
    precondition: "certification approved and no token issued yet",
  },
  {
    name: "hold",
    usage: "/hold REASON",
    who: "reviewer",
    notRequester: false,
    effect: "puts the request on hold: nothing advances",
    precondition: "not rejected, not already on hold",
  },
  {
    name: "unhold",
    usage: "/unhold",
    who: "reviewer",
    notRequester: true,
    effect: "lifts the hold",
    precondition: "on hold",
  },
  {
    name: "reject",
    usage: "/reject REASON",
    who: "reviewer",
    notRequester: false,
    effect: "rejects the request and closes the issue",
    precondition: "not live, not already rejected",
  },
  {
    name: "reissue-tokens",
    usage: "/reissue-tokens DEVICE|all REASON",
    who: "reviewer",
    notRequester: true,
    effect:
      "asks the token workflow to issue a new token for DEVICE (or for every device); the request goes back to tokens",
    precondition:
      "stage live, or tokens once some tokens were issued; not on hold; DEVICE is one of the request's devices (any case) or all; a reason",
  },
  {
    name: "status",
    usage: "/status",
    who: "anyone",
    notRequester: false,
    effect: "re-reads everything and repairs the status comment and labels",
    precondition: "none",
  },
  {
    name: "help",
    usage: "/help",
    who: "anyone",
    notRequester: false,
    effect: "lists the commands you may run here",
    precondition: "none",
  },
];

export function commandSpec(name: CommandName): CommandSpec {
  return COMMANDS.find((c) => c.name === name)!;
}
