import type { CommandRecord } from "../../record/schema.js";
import { escapeText, inlineCode, link, mention } from "../render/markdown.js";
import { COMMANDS } from "./catalog.js";

/**
 * Replies to a person's comment. Every line starts with `@`, `-` or `|`, and commands are quoted
 * inside inline code, so a reply can never be read as a command (the app ignores bots anyway).
 */

export interface HelpContext {
  reviewer: boolean;
  requester: boolean;
}

/** One reply for one comment: its refused lines, its `/help` answer, in line order. */
export function replyForComment(
  login: string,
  commentUrl: string,
  lines: readonly CommandRecord[],
  help: HelpContext | null,
): string | null {
  const refused = lines.filter((l) => l.outcome === "refused");
  const parts: string[] = [];
  if (refused.length === 1) {
    parts.push(
      `${mention(login)} ${inlineCode(quoted(refused[0]!))} was not run: ${refused[0]!.reason ?? "it is not allowed now"}.`,
    );
  } else if (refused.length > 1) {
    parts.push(`${mention(login)} these commands from ${link("your comment", commentUrl)} were not run:`, "");
    for (const l of refused) parts.push(`- ${inlineCode(quoted(l))}: ${l.reason ?? "it is not allowed now"}`);
  }
  if (help) {
    if (parts.length) parts.push("");
    parts.push(...helpText(login, help));
  }
  return parts.length ? parts.join("\n") : null;
}

export function editedCommentReply(login: string, commentUrl: string): string {
  return `${mention(login)} ${link("your comment", commentUrl)} was edited before the app read it, so none of its commands ran: an edited comment never runs a command. Post the command in a new comment.`;
}

export function helpText(login: string, who: HelpContext): string[] {
  const role = who.reviewer
    ? who.requester
      ? "a reviewer, and the requester of this request"
      : "a reviewer"
    : who.requester
      ? "the requester"
      : "not a reviewer";
  const lines = [
    `${mention(login)} you are ${role} here. Commands you can run on this request (one per line, at the start of a new comment):`,
    "",
    "| Command | Effect | Precondition |",
    "| --- | --- | --- |",
  ];
  for (const c of COMMANDS) {
    if (c.who === "reviewer" && !who.reviewer) continue;
    if (c.notRequester && who.requester) continue;
    // In a GitHub table a `|` splits the cell even inside code; `\|` keeps it (and shows `|`).
    lines.push(
      `| ${inlineCode(c.usage).replace(/\|/g, "\\|")} | ${escapeText(c.effect)} | ${escapeText(c.precondition)} |`,
    );
  }
  if (!who.reviewer)
    lines.push(
      "",
      "Reviewers (members of the configured reviewer teams, or configured logins) run certification. The requester never approves their own request.",
    );
  return lines;
}

function quoted(line: CommandRecord): string {
  return `/${line.name}${line.args ? ` ${line.args}` : ""}`;
}
