import type { AccessRecord, CommandName, IgnoredComment } from "../../record/schema.js";
import { parseCommands } from "../commands/parse.js";

/** Which command lines of an issue's comments the record has not seen yet. Pure. */

export interface CommentLike {
  id: number;
  body: string;
  created_at: string;
  updated_at: string;
  user: { login: string; type: string; id?: number | undefined } | null;
}

export interface NewLine {
  comment: number;
  index: number;
  by: string;
  /** The author's GitHub user id, when the listing gave it. */
  byId?: number;
  at: string;
  name: CommandName;
  args: string;
}

/** Bots never command the app (the app's own comments above all). */
export function isBot(user: { login: string; type?: string | null } | null | undefined): boolean {
  return !user || user.type === "Bot" || user.login.toLowerCase().endsWith("[bot]");
}

/**
 * Command lines in comments the record has not seen yet, oldest comment first. A comment edited
 * before the app first read it is not executed (GitHub keeps no original body, so what was
 * "created" cannot be known): it is listed as ignored, to be answered once. Comments the record
 * has seen keep the lines recorded then, whatever their body says now.
 */
export function unseenLines(
  comments: readonly CommentLike[],
  prior: Pick<AccessRecord, "commands" | "ignored"> | null,
): { lines: NewLine[]; ignored: IgnoredComment[] } {
  const seen = new Set<number>([
    ...(prior?.commands ?? []).map((c) => c.comment),
    ...(prior?.ignored ?? []).map((i) => i.comment),
  ]);
  const through = watermark(prior?.ignored ?? []);
  const lines: NewLine[] = [];
  const ignored: IgnoredComment[] = [];
  for (const comment of [...comments].sort((a, b) => a.id - b.id)) {
    if (seen.has(comment.id) || comment.id <= through || isBot(comment.user)) continue;
    const parsed = parseCommands(comment.body);
    const by = comment.user!.login;
    // Remembered as seen, so no later event parses it again (whatever it holds).
    if (parsed.length === 0) {
      ignored.push({ comment: comment.id, by, reason: "no-command" });
      continue;
    }
    if (comment.updated_at !== comment.created_at) {
      ignored.push({ comment: comment.id, by, reason: "edited" });
      continue;
    }
    const byId = comment.user!.id;
    parsed.forEach((p, index) =>
      lines.push({
        comment: comment.id,
        index,
        by,
        ...(byId !== undefined ? { byId } : {}),
        at: comment.created_at,
        name: p.name,
        args: p.args,
      }),
    );
  }
  return { lines, ignored };
}

/** Every comment up to this id was seen (0: none is assumed seen); see `ignoredCommentSchema`. */
function watermark(ignored: readonly IgnoredComment[]): number {
  return Math.max(0, ...ignored.filter((i) => i.reason === "pruned-through").map((i) => i.comment));
}
