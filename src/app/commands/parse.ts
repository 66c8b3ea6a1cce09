import type { Paragraph, RootContent } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { COMMAND_NAMES, type CommandName } from "../../record/schema.js";

export interface ParsedCommand {
  name: CommandName;
  /** The rest of the line after the name, trimmed (may be empty). */
  args: string;
  /** The whole command line as written (trimmed), for quoting in replies. */
  line: string;
}

/** More command lines than this in one comment are not executed (a pasted log is not a script). */
export const MAX_COMMANDS_PER_COMMENT = 20;
const MAX_ARGS = 500;

const NAMES = new Map<string, CommandName>(COMMAND_NAMES.map((n) => [n, n]));
// Only a cheap filter; the Markdown parse below decides what a command is.
const MAYBE_COMMAND = /^[ \t]*\/[A-Za-z]/m;
const COMMAND_LINE = /^\/([A-Za-z][A-Za-z-]*)(?=$|[ \t])(.*)$/;

/** True when a body could hold a command line: lets the app drop ordinary comments before any API call. */
export function mayContainCommand(body: string | null | undefined): boolean {
  return typeof body === "string" && MAYBE_COMMAND.test(body);
}

/**
 * The command lines of a comment, in order. A command is a line of a top-level paragraph that
 * starts (after spaces) with `/name`, where `name` is one of ours matched whole and
 * case-insensitively: `/approve-certification` is never `/approve` plus text, `/foo` is nothing.
 * Parsing the Markdown (CommonMark, positions kept) rather than scanning lines is what makes
 * fenced and indented code, `>` quotes, list items, HTML comments and inline code spans not
 * commands — exactly as GitHub renders them.
 */
export function parseCommands(body: string | null | undefined): ParsedCommand[] {
  if (!mayContainCommand(body)) return [];
  const source = body!.replace(/\r\n?/g, "\n");
  const out: ParsedCommand[] = [];
  for (const node of fromMarkdown(source).children) {
    if (node.type !== "paragraph") continue;
    for (const line of paragraphLines(node, source)) {
      const match = COMMAND_LINE.exec(line);
      const name = match && NAMES.get(match[1]!.toLowerCase());
      if (!name) continue;
      out.push({ name, args: match[2]!.trim().slice(0, MAX_ARGS), line: line.slice(0, MAX_ARGS) });
      if (out.length === MAX_COMMANDS_PER_COMMENT) return out;
    }
  }
  return out;
}

/** Source lines of a paragraph (leading blanks removed) whose first character is plain text. */
function paragraphLines(paragraph: Paragraph, source: string): string[] {
  const start = paragraph.position?.start.offset;
  const end = paragraph.position?.end.offset;
  if (start === undefined || end === undefined) return [];
  // A line counts only when its first visible character belongs to a plain text node: that
  // excludes inline code spans, inline HTML (comments) and escaped slashes.
  const textRanges: Array<[number, number]> = [];
  for (const child of paragraph.children as RootContent[]) {
    if (
      child.type === "text" &&
      child.position?.start.offset !== undefined &&
      child.position.end.offset !== undefined
    ) {
      textRanges.push([child.position.start.offset, child.position.end.offset]);
    }
  }
  const lines: string[] = [];
  let lineStart = source.lastIndexOf("\n", start - 1) + 1;
  while (lineStart < end) {
    let lineEnd = source.indexOf("\n", lineStart);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const raw = source.slice(lineStart, lineEnd);
    const lead = raw.length - raw.trimStart().length;
    const first = lineStart + lead;
    if (first < lineEnd && textRanges.some(([a, b]) => first >= a && first < b)) lines.push(raw.trim());
    lineStart = lineEnd + 1;
  }
  return lines;
}
