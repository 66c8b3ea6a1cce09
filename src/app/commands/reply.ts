import type {
  AccessRecord,
  CommandName,
  CommandRecord,
  IgnoredComment,
  Outcome,
  VoidedRun,
} from "../../record/schema.js";
import { samePerson } from "../state/people.js";
import { commentUrl, lineKey } from "../state/reduce.js";
import { escapeText, formatTime, inlineCode, link, mention } from "../render/markdown.js";
import { ITEM_TITLE, STAGE_TITLE } from "../render/titles.js";
import { availableCommands, type HelpView } from "./available.js";
import { commandSpec } from "./catalog.js";
import type { CommandRefusal, RefusalDetails } from "./refusals.js";

/**
 * Replies to a person's comment. Every line starts with `@`, `-` or `|`, and commands are quoted
 * inside inline code, so a reply can never be read as a command (the app ignores bots anyway).
 */

/** A command line as a reply quotes it, with its refusal when it did not run. */
export interface ReplyLine {
  name: CommandName;
  args: string;
  outcome: Outcome;
  /** Why it did not run (a refused line). */
  why?: CommandRefusal | undefined;
}

/** Who asked for `/help`, and the request as it stands now (what they may run depends on both). */
export type HelpContext = HelpView;

/**
 * The replies for lines first seen in this event: one per comment, for its refused lines and
 * its `/help`, plus one per comment that was edited before the app read it. Outcomes are the
 * replayed ones (a line's outcome is decided in history order, not in the order seen).
 */
export function planReplies(input: {
  record: AccessRecord;
  fresh: readonly CommandRecord[];
  ignored: readonly IgnoredComment[];
  roles: ReadonlyMap<string, boolean>;
  refusals: ReadonlyMap<string, CommandRefusal>;
  /** The configured checklist items (`/help` names them). */
  checklistItems: readonly string[];
}): string[] {
  const { record } = input;
  const outcomes = new Map(record.commands.map((c) => [lineKey(c), c]));
  const byComment = new Map<number, { by: string; byId: number | undefined; lines: ReplyLine[] }>();
  for (const line of input.fresh) {
    const decided = outcomes.get(lineKey(line)) ?? line;
    const entry = byComment.get(line.comment) ?? { by: line.by, byId: line.byId, lines: [] };
    entry.lines.push({ ...decided, why: input.refusals.get(lineKey(line)) });
    byComment.set(line.comment, entry);
  }
  const replies: string[] = [];
  for (const [comment, { by, byId, lines }] of byComment) {
    const help = lines.some((l) => l.name === "help")
      ? {
          reviewer: input.roles.get(by.toLowerCase()) ?? false,
          requester: samePerson({ login: by, id: byId }, { login: record.requester, id: record.requesterId }),
          record,
          checklistItems: input.checklistItems,
        }
      : null;
    const text = replyForComment(by, commentUrl(record.issueUrl, comment), lines, help);
    if (text) replies.push(text);
  }
  for (const i of input.ignored)
    if (i.reason === "edited") replies.push(editedCommentReply(i.by, commentUrl(record.issueUrl, i.comment)));
  return replies;
}

/** One reply for one comment: its refused lines, its `/help` answer, in line order. */
export function replyForComment(
  login: string,
  commentUrl: string,
  lines: readonly ReplyLine[],
  help: HelpContext | null,
): string | null {
  const refused = lines.filter((l) => l.outcome === "refused");
  const parts: string[] = [];
  if (refused.length === 1) {
    parts.push(`${mention(login)} ${inlineCode(quoted(refused[0]!))} was not run: ${reasonText(refused[0]!)}.`);
  } else if (refused.length > 1) {
    parts.push(`${mention(login)} these commands from ${link("your comment", commentUrl)} were not run:`, "");
    for (const l of refused) parts.push(`- ${inlineCode(quoted(l))}: ${reasonText(l)}`);
  }
  if (help) {
    if (parts.length) parts.push("");
    parts.push(...helpText(login, help));
  }
  return parts.length ? parts.join("\n") : null;
}

const BLOCK_COMMAND = {
  reject: "/reject",
  hold: "/hold",
  revoke: "/revoke-certification",
  "not-approved": "missing approval",
  ended: "/revoke-access",
} as const;

/** Tells the reviewer whose block a run's tokens came after that those tokens do not count. */
export function voidedRunReply(v: VoidedRun): string {
  const id = /\/runs\/(\d+)$/.exec(v.runUrl)?.[1];
  const run = link(id ? `run ${id}` : "a token run", v.runUrl);
  const after = `your ${inlineCode(BLOCK_COMMAND[v.blockedBy.kind])} of ${formatTime(v.blockedBy.at)}`;
  return [
    `${mention(v.blockedBy.by)} the ${v.tokens} token(s) of ${run} were issued after ${after}, completing`,
    `${formatTime(v.at)}: they do not count, and the request does not advance on them. Revoke them with the token tooling.`,
  ].join(" ");
}

export function editedCommentReply(login: string, commentUrl: string): string {
  return [
    `${mention(login)} ${link("your comment", commentUrl)} was edited before the app read it, so none of its`,
    "commands ran: an edited comment never runs a command. Post the command in a new comment.",
  ].join(" ");
}

export function helpText(login: string, who: HelpContext): string[] {
  const role = who.reviewer
    ? who.requester
      ? "a reviewer, and the requester of this request"
      : "a reviewer"
    : who.requester
      ? "the requester"
      : "not a reviewer";
  const { stage, hold } = who.record;
  const where = `The request is at stage **${STAGE_TITLE[stage]}**${hold && stage !== "rejected" ? ", on hold" : ""}.`;
  const lines = [
    `${mention(login)} you are ${role} here. ${where} Commands you can run now (one per line, at the start of a new comment):`,
    "",
    "| Command | Effect |",
    "| --- | --- |",
  ];
  const { now, later } = availableCommands({ ...who, record: who.record });
  for (const c of now) {
    const spec = commandSpec(c.name);
    const effect = c.item ? `${spec.effect}: ${ITEM_TITLE[c.item] ?? c.item}` : spec.effect;
    // In a GitHub table a `|` splits the cell even inside code; `\|` keeps it (and shows `|`).
    lines.push(`| ${inlineCode(c.usage).replace(/\|/g, "\\|")} | ${escapeText(effect)} |`);
  }
  if (later.length) {
    lines.push("", "Not now:", "");
    for (const l of later) lines.push(`- ${inlineCode(commandSpec(l.name).usage)}: ${l.when}`);
  }
  if (!who.reviewer)
    lines.push(
      "",
      "Reviewers (members of the configured reviewer teams, or configured logins) run certification. The requester never approves their own request.",
    );
  return lines;
}

function quoted(line: ReplyLine): string {
  return `/${line.name}${line.args ? ` ${line.args}` : ""}`;
}

function reasonText(line: ReplyLine): string {
  return line.why ? refusalText(line.why) : "it is not allowed now";
}

/**
 * The words for each refusal code: the one place a refusal becomes Markdown. Every value that
 * came from a person goes through `escapeText` or `inlineCode`.
 */
const TEXT: { [K in keyof RefusalDetails]: (detail: RefusalDetails[K]) => string } = {
  "not-reviewer": ({ command }) =>
    `only reviewers can run ${inlineCode(`/${command}`)} (members of the configured reviewer teams, or the configured reviewer logins)`,
  requester: () => "you opened this request, so you cannot advance it yourself: another reviewer has to",
  rejected: ({ by, at }) =>
    `the request was rejected${by && at ? ` by ${escapeText(by)} on ${formatTime(at)}` : ""}; nothing changes any more`,
  "item-missing": ({ items }) => `name the item: one of ${itemList(items)}`,
  "unknown-item": ({ given, items }) => `${inlineCode(given)} is not a checklist item: use one of ${itemList(items)}`,
  "wrong-stage": ({ stage, command }) =>
    `the request is in stage **${stage}**; ${inlineCode(`/${command}`)} works only ${commandSpec(command).worksWhen ?? "at another stage"}`,
  "on-hold": ({ by, at, reason }) =>
    `the request is on hold (by ${escapeText(by)} on ${formatTime(at)}: ${escapeText(reason, 200)}); a reviewer has to \`/unhold\` it first`,
  "already-ticked": ({ item, by, at }) =>
    `${inlineCode(item)} is already ticked (by ${escapeText(by)} on ${formatTime(at)})`,
  "not-ticked": ({ item }) => `${inlineCode(item)} is not ticked`,
  "form-invalid": () =>
    "the request form is not valid yet: the requester has to fix what the status comment lists first",
  "items-open": ({ items }) =>
    `these checklist items are not ticked yet: ${items.map((i) => inlineCode(i)).join(", ")}`,
  "reason-missing": ({ command }) => `give a reason: \`${commandSpec(command).usage}\``,
  "not-approved": () => "certification is not approved, so there is nothing to revoke",
  "tokens-issued": () => "tokens were already issued for this request; use `/reject` (or `/reissue-tokens`) instead",
  "already-on-hold": ({ by, at }) => `the request is already on hold (by ${escapeText(by)} on ${formatTime(at)})`,
  "not-on-hold": () => "the request is not on hold",
  live: () => "the request is live: its tokens were issued; end its access with `/revoke-access REASON` instead",
  "reissue-arguments": () => "name the device (or `all`) and give a reason: `/reissue-tokens DEVICE|all REASON`",
  "unknown-device": ({ given, devices }) =>
    `${inlineCode(given)} is not one of this request's devices (${deviceList(devices)})`,
  "already-waiting": ({ given, all }) =>
    all ? "every device is already waiting for a new token" : `${inlineCode(given)} is already waiting for a new token`,
  "request-changed": () =>
    "the request changed after this approval was first processed; approve the current request again",
  "revoke-arguments": () => "name the device (or `all`) and give a reason: `/revoke-tokens DEVICE|all REASON`",
  "nothing-to-revoke": ({ given, all }) =>
    all ? "no token of this request is left to revoke" : `${inlineCode(given)} has no token left to revoke`,
  "not-requester": ({ command }) => `only the person who opened this request can run ${inlineCode(`/${command}`)}`,
  "not-reviewer-or-requester": ({ command }) =>
    `only a reviewer or the person who opened this request can run ${inlineCode(`/${command}`)}`,
  ended: ({ by, at }) =>
    `the request's access was ended${by && at ? ` by ${escapeText(by)} on ${formatTime(at)}` : ""}; nothing changes any more`,
  "form-changed": ({ command }) =>
    command === "approve-certification"
      ? "the form changed after this approval was written; approve the current version"
      : "the form changed after this tick was written; tick it again for the current version",
};

export function refusalText(refusal: CommandRefusal): string {
  const render = TEXT[refusal.code] as (detail: CommandRefusal["detail"]) => string;
  return render(refusal.detail);
}

function itemList(items: readonly string[]): string {
  return items.map((i) => inlineCode(i)).join(", ");
}

/** The request's devices for a refusal, shortened for large requests. */
function deviceList(devices: readonly string[]): string {
  const shown = devices
    .slice(0, 10)
    .map((d) => inlineCode(d))
    .join(", ");
  return devices.length > 10 ? `${shown}, … ${devices.length} in all` : shown || "none";
}
