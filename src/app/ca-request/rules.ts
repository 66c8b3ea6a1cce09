import { parseCommandsNamed, type ParsedCommand } from "../commands/parse.js";

/**
 * The commands of an *Add a certificate authority* issue, and where each line is authorized
 * (pure). A request's own commands: `/approve-ca` and `/reject` decide it and are recorded;
 * `/status` and `/help` only answer. The production-access commands mean nothing here, and
 * these nothing on a production-access request.
 */
export const CA_COMMANDS = ["approve-ca", "reject", "status", "help"] as const;
export type CaCommandName = (typeof CA_COMMANDS)[number];
const NAMES = new Map<string, CaCommandName>(CA_COMMANDS.map((n) => [n, n]));

export const CA_COMMAND_USAGE: Record<CaCommandName, { usage: string; who: string; effect: string }> = {
  "approve-ca": {
    usage: "/approve-ca SHA256 [note]",
    who: "a reviewer who is not the requester",
    effect:
      "approves this root, named by its SHA-256 (at least its first 16 hex digits, as the status comment shows it): the app opens a pull request adding it to `certificates.extraCAs`, which people with CODEOWNERS rights review and merge",
  },
  reject: { usage: "/reject REASON", who: "a reviewer", effect: "rejects the request and closes the issue" },
  status: { usage: "/status", who: "anyone", effect: "re-reads everything and repairs the status comment" },
  help: { usage: "/help", who: "anyone", effect: "lists these commands" },
};

export function parseCaCommands(body: string | null | undefined): ParsedCommand<CaCommandName>[] {
  return parseCommandsNamed(body, NAMES);
}

/** Why a decision line did not count: a stable code the record keeps. */
export type CaRefusalCode =
  | "not-reviewer"
  | "requester"
  | "form-invalid"
  | "already-trusted"
  | "already-approved"
  | "rejected"
  | "added"
  | "reason-missing"
  | "fingerprint-missing"
  | "fingerprint-mismatch"
  | "form-changed"
  | "edited-by-approver";

export const CA_REFUSAL_TEXT: Record<CaRefusalCode, string> = {
  "not-reviewer": "only a reviewer (a configured login or a member of a reviewer team) may decide a CA request",
  requester: "the requester may not approve their own request: another reviewer must",
  "form-invalid": "the form has problems (see the status comment): it can be approved once they are fixed",
  "already-trusted": "this root is already approved: certificates under it are accepted now",
  "already-approved": "this version of the request is already approved",
  rejected: "the request was rejected: open a new issue to ask again",
  added: "the root was added to the configuration: nothing is left to decide",
  "reason-missing": "say why: `/reject REASON`",
  "fingerprint-missing":
    "name the root you approve by its SHA-256, at least its first 16 hex digits: `/approve-ca SHA256 [note]` (the status comment shows the command)",
  "fingerprint-mismatch": "the SHA-256 given is not the root's in the form now: check the form again",
  "form-changed": "the form was edited after this comment was written: approve the version in effect in a new comment",
  "edited-by-approver": "you last edited the form: a reviewer who did not write the version in effect must approve it",
};

/** How much of the SHA-256 an approval must name (hex digits). */
export const FINGERPRINT_PREFIX = 16;

/** The facts a decision line is judged against: the request as it stands before the line. */
export interface CaDecisionState {
  requester: { login: string; id?: number | undefined };
  /** The hash of the valid form content, or null when the form has problems. */
  contentSha256: string | null;
  /** The root's SHA-256 (colon hex) in the form now, when one certificate could be read. */
  fingerprintSha256: string | null;
  /** When the form version in effect was written (its last edit, else the creation), and by whom. */
  formWritten: { at: string | null; by: string | null };
  /** The root is trusted already (the shipped allowlist, or `extraCAs` on the default branch). */
  trusted: boolean;
  rejected: boolean;
  /** An accepted approval bound to the content now in effect, or a pull request opened. */
  approved: boolean;
  added: boolean;
}

export interface CaLine {
  name: "approve-ca" | "reject";
  args: string;
  by: string;
  byId?: number | undefined;
  reviewer: boolean;
  /** When the comment holding the line was created. */
  at: string;
}

export function decideCaLine(line: CaLine, state: CaDecisionState): "accepted" | CaRefusalCode {
  // The requester is told why first, reviewer or not: no one approves their own request.
  if (line.name === "approve-ca" && isRequester(line, state.requester)) return "requester";
  if (!line.reviewer) return "not-reviewer";
  if (state.added) return "added";
  if (state.rejected) return "rejected";
  if (line.name === "reject") return line.args.trim() ? "accepted" : "reason-missing";
  if (state.trusted) return "already-trusted";
  if (!state.contentSha256 || !state.fingerprintSha256) return "form-invalid";
  if (state.approved) return "already-approved";
  // An approval is of the version in effect, seen by someone who did not write it.
  const written = state.formWritten.at ? Date.parse(state.formWritten.at) : NaN;
  if (Date.parse(line.at) < written) return "form-changed";
  if (state.formWritten.by && state.formWritten.by.toLowerCase() === line.by.toLowerCase()) return "edited-by-approver";
  return namedFingerprint(line.args, state.fingerprintSha256);
}

/** The approval names the root: its first word is at least FINGERPRINT_PREFIX hex digits of its SHA-256. */
function namedFingerprint(
  args: string,
  fingerprint: string,
): "accepted" | "fingerprint-missing" | "fingerprint-mismatch" {
  const given = (args.trim().split(/\s+/)[0] ?? "").replace(/:/g, "").toLowerCase();
  if (!/^[0-9a-f]+$/.test(given) || given.length < FINGERPRINT_PREFIX) return "fingerprint-missing";
  return fingerprint.replace(/:/g, "").toLowerCase().startsWith(given) ? "accepted" : "fingerprint-mismatch";
}

/** The note of an approval: what follows the SHA-256. */
export function approvalNote(args: string): string {
  return args.trim().split(/\s+/).slice(1).join(" ");
}

/** By user id when both are known (a login can be renamed and taken), else by login. */
function isRequester(line: CaLine, requester: CaDecisionState["requester"]): boolean {
  if (line.byId !== undefined && requester.id !== undefined) return line.byId === requester.id;
  return line.by.toLowerCase() === requester.login.toLowerCase();
}
