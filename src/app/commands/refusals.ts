import type { CommandName, Stage } from "../../record/schema.js";

/**
 * Why a command line did not run: a stable code callers and tests match on, and the facts its
 * message needs. The text people read is rendered from these in one place (`reply.ts`); the
 * record keeps the code, so an auditor reading the JSON sees why without parsing prose.
 */
export interface RefusalDetails {
  /** A reviewer-only command by someone who was not a reviewer when the line was first seen. */
  "not-reviewer": { command: CommandName };
  /** The requester may not advance their own request. */
  requester: Record<string, never>;
  /** Nothing changes on a rejected request. */
  rejected: { by?: string; at?: string };
  /** `/check` or `/uncheck` without an item. */
  "item-missing": { items: readonly string[] };
  /** The item is not one of the configured checklist items. */
  "unknown-item": { given: string; items: readonly string[] };
  /** The command does not apply at this stage. */
  "wrong-stage": { stage: Stage; command: CommandName };
  /** A hold blocks every advance. */
  "on-hold": { by: string; at: string; reason: string };
  "already-ticked": { item: string; by: string; at: string };
  "not-ticked": { item: string };
  /** `/approve-certification` before the form is valid. */
  "form-invalid": Record<string, never>;
  /** `/approve-certification` with checklist items still open. */
  "items-open": { items: readonly string[] };
  /** A command that needs a reason was given none. */
  "reason-missing": { command: CommandName };
  /** `/revoke-certification` with no approval to revoke. */
  "not-approved": Record<string, never>;
  /** `/revoke-certification` once tokens exist. */
  "tokens-issued": Record<string, never>;
  "already-on-hold": { by: string; at: string };
  "not-on-hold": Record<string, never>;
  /** `/reject` on a live request. */
  live: Record<string, never>;
  /** `/reissue-tokens` without a device and a reason. */
  "reissue-arguments": Record<string, never>;
  /** `/reissue-tokens` for a device the request does not have. */
  "unknown-device": { given: string; devices: readonly string[] };
  /** `/reissue-tokens` for devices that already wait for a token. */
  "already-waiting": { given: string; all: boolean };
  /** `/revoke-tokens` without a device and a reason. */
  "revoke-arguments": Record<string, never>;
  /** `/revoke-tokens` for devices none of whose tokens is left to revoke. */
  "nothing-to-revoke": { given: string; all: boolean };
  /** A command only a reviewer or the requester may run, by someone else. */
  "not-reviewer-or-requester": { command: CommandName };
  /** A command only the request's author runs (`/keys-received`). */
  "not-requester": { command: CommandName };
  /** Nothing changes once access ended (`/revoke-access`). */
  ended: { by?: string; at?: string };
  /** An approval bound to a request that is no longer the one in effect. */
  "request-changed": Record<string, never>;
  /** A tick or approval written before the form version in effect: it cannot have seen it. */
  "form-changed": { command: CommandName };
}

export type CommandRefusalCode = keyof RefusalDetails;

export type CommandRefusal = { [K in CommandRefusalCode]: { code: K; detail: RefusalDetails[K] } }[CommandRefusalCode];

/** Every code, for the record's schema and for documentation. */
export const COMMAND_REFUSAL_CODES = [
  "not-reviewer",
  "requester",
  "rejected",
  "item-missing",
  "unknown-item",
  "wrong-stage",
  "on-hold",
  "already-ticked",
  "not-ticked",
  "form-invalid",
  "items-open",
  "reason-missing",
  "not-approved",
  "tokens-issued",
  "already-on-hold",
  "not-on-hold",
  "live",
  "reissue-arguments",
  "unknown-device",
  "already-waiting",
  "request-changed",
  "form-changed",
  "revoke-arguments",
  "nothing-to-revoke",
  "not-reviewer-or-requester",
  "not-requester",
  "ended",
] as const satisfies readonly CommandRefusalCode[];

export function refusal<K extends CommandRefusalCode>(code: K, detail: RefusalDetails[K]): CommandRefusal {
  return { code, detail } as CommandRefusal;
}

// Compile-time check that the list above names every code.
type Unlisted = Exclude<CommandRefusalCode, (typeof COMMAND_REFUSAL_CODES)[number]>;
const everyCodeListed: [Unlisted] extends [never] ? true : false = true;
void everyCodeListed;
