import type { CommandName } from "../../record/schema.js";
import {
  approveRule,
  checkRule,
  helpRule,
  holdRule,
  reissueRule,
  rejectRule,
  recertifyRule,
  revokeAccessRule,
  revokeTokensRule,
  revokeRule,
  keysReceivedRule,
  statusRule,
  uncheckRule,
  unholdRule,
  type Rule,
} from "./rules.js";

export interface CommandSpec {
  name: CommandName;
  usage: string;
  /** `reviewer-or-requester`: a reviewer, or the request's author (for what is always safe). */
  who: "reviewer" | "anyone" | "reviewer-or-requester" | "requester";
  /** Reviewers who opened the request cannot run it on their own request. */
  notRequester: boolean;
  effect: string;
  precondition: string;
  /** What this command checks beyond the shared gates (`authorize.ts`). */
  rule: Rule;
  /** For a refusal at the wrong stage: when the command works. */
  worksWhen?: string;
}

/**
 * The slash commands of the production-access process (the README's reviewer's guide), in the
 * order `/help` lists them; `/reissue-tokens` serves the token workflow (docs/token-workflow.md).
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "check",
    usage: "/check ITEM [note]",
    who: "reviewer",
    notRequester: true,
    effect: "ticks a certification item",
    precondition: "stage requested or certification, not on hold; ITEM is one of the configured checklist items",
    rule: checkRule,
    worksWhen: "while the request is in certification (or still being requested)",
  },
  {
    name: "uncheck",
    usage: "/uncheck ITEM [reason]",
    who: "reviewer",
    notRequester: false,
    effect: "unticks a certification item",
    precondition: "stage requested or certification; the item is ticked",
    rule: uncheckRule,
    worksWhen: "while the request is in certification (or still being requested)",
  },
  {
    name: "approve-certification",
    usage: "/approve-certification [note]",
    who: "reviewer",
    notRequester: true,
    effect: "approves certification: the request moves to certificates",
    precondition: "stage certification (a valid form), every checklist item ticked, not on hold",
    rule: approveRule,
    worksWhen: "while the request is in certification",
  },
  {
    name: "revoke-certification",
    usage: "/revoke-certification REASON",
    who: "reviewer",
    notRequester: false,
    effect: "withdraws the approval: back to certification",
    precondition: "certification approved and no token issued yet",
    rule: revokeRule,
  },
  {
    name: "hold",
    usage: "/hold REASON",
    who: "reviewer",
    notRequester: false,
    effect: "puts the request on hold: nothing advances",
    precondition: "not rejected, not already on hold",
    rule: holdRule,
  },
  {
    name: "unhold",
    usage: "/unhold",
    who: "reviewer",
    notRequester: true,
    effect: "lifts the hold",
    precondition: "on hold",
    rule: unholdRule,
  },
  {
    name: "reject",
    usage: "/reject REASON",
    who: "reviewer",
    notRequester: false,
    effect: "rejects the request and closes the issue",
    precondition: "not live, not already rejected",
    rule: rejectRule,
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
    rule: reissueRule,
    worksWhen: "once tokens were issued (stage live, or tokens after a first issuance)",
  },
  {
    name: "revoke-tokens",
    usage: "/revoke-tokens DEVICE|all REASON",
    who: "reviewer-or-requester",
    notRequester: false,
    effect:
      "revokes every token of DEVICE (or of every device) at once, in the request's token status list; a new token needs /reissue-tokens",
    precondition:
      "a token was issued for the device and is not revoked yet; DEVICE is one of the request's devices (any case) or all; a reason",
    rule: revokeTokensRule,
    worksWhen: "once a token was issued for the device",
  },
  {
    name: "revoke-access",
    usage: "/revoke-access REASON",
    who: "reviewer",
    notRequester: false,
    effect: "revokes every token and ends the request's access for good (stage ended); closes the issue",
    precondition: "tokens were issued (before that, /reject); not rejected, not already ended; a reason",
    rule: revokeAccessRule,
    worksWhen: "once tokens were issued (before that, end the request with /reject)",
  },
  {
    name: "recertify",
    usage: "/recertify [note]",
    who: "reviewer",
    notRequester: true,
    effect:
      "records the periodic access review: access stays granted for another review period, and suspended tokens are valid again",
    precondition: "tokens were issued; not ended or rejected",
    rule: recertifyRule,
    worksWhen: "once tokens were issued",
  },
  {
    name: "keys-received",
    usage: "/keys-received",
    who: "requester",
    notRequester: false,
    effect:
      "says the device keys OneRecord obtained for you (option 2) are saved: the app removes the comment holding them, encrypted",
    precondition: "none (with no such comment, nothing to remove)",
    rule: keysReceivedRule,
  },
  {
    name: "status",
    usage: "/status",
    who: "anyone",
    notRequester: false,
    effect: "re-reads everything and repairs the status comment and labels",
    precondition: "none",
    rule: statusRule,
  },
  {
    name: "help",
    usage: "/help",
    who: "anyone",
    notRequester: false,
    effect: "lists the commands you may run here",
    precondition: "none",
    rule: helpRule,
  },
];

export function commandSpec(name: CommandName): CommandSpec {
  return COMMANDS.find((c) => c.name === name)!;
}
