import type { Paragraph, RootContent } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import type { Extension } from "micromark-util-types";
import { COMMAND_NAMES, type CommandName } from "../../record/schema.js";

export interface ParsedCommand<N extends string = CommandName> {
  name: N;
  /** The rest of the line after the name, trimmed (may be empty). */
  args: string;
  /** The whole command line as written (trimmed), for quoting in replies. */
  line: string;
}

/** More command lines than this in one comment are not executed (a pasted log is not a script). */
export const MAX_COMMANDS_PER_COMMENT = 20;
const MAX_ARGS = 500;
/**
 * Commands are read in the first this-many characters of a comment only (whole lines; a line
 * cut by the limit short of {@link COMMAND_LINE_LIMIT} is dropped). With the limits below, this
 * bounds the Markdown parse of any comment, whatever it holds: micromark's work grows faster
 * than its input with container depth (`>`, list markers) and with the lines of a paragraph.
 */
export const COMMAND_SCAN_LIMIT = 12_000;
/** And in its first this-many lines. */
export const COMMAND_SCAN_LINES = 60;
/** A command line is parsed cut to this many characters (its arguments keep at most 500). */
export const COMMAND_LINE_LIMIT = 600;
/**
 * Any other line is parsed cut to this many characters: enough to tell code fences, quotes,
 * lists and HTML from text, too few for deep nesting. (Markup past it on a long line, such as
 * a `<!--` opened at its end, no longer hides the command line below: the comment's own author
 * wrote both.)
 */
export const CONTEXT_LINE_LIMIT = 40;

const NAMES = new Map<string, CommandName>(COMMAND_NAMES.map((n) => [n, n]));
// Only a cheap filter; the Markdown parse below decides what a command is.
const MAYBE_COMMAND = /^[ \t]*\/[A-Za-z]/m;
const COMMAND_LINE = /^\/([A-Za-z][A-Za-z-]*)(?=$|[ \t])(.*)$/;
/**
 * Inline constructs whose cost grows faster than their input (emphasis and link resolution),
 * turned off for the command parse. Only what can hide the first character of a line matters
 * there (code spans, inline HTML, escapes), so a line that starts with `/name` inside emphasis
 * or link text is a command, as the grammar says: outside code, quotes and HTML comments.
 */
const COMMAND_PARSE: Extension = {
  disable: { null: ["attention", "labelStartImage", "labelStartLink", "labelEnd"] },
};

/** True when a body could hold a command line: lets the app drop ordinary comments before any API call. */
export function mayContainCommand(body: string | null | undefined): boolean {
  return typeof body === "string" && MAYBE_COMMAND.test(body);
}

/**
 * What a command parse needs to see of a comment, or null when no line can be a command: the
 * comment up to the paragraph of its last candidate line (a line that starts, after spaces,
 * with one of our names), within {@link COMMAND_SCAN_LIMIT}, each line within
 * {@link COMMAND_LINE_LIMIT}. Found by a line scan, before any Markdown parse.
 */
export function commandRegion(
  body: string | null | undefined,
  names: ReadonlyMap<string, string> = NAMES,
): string | null {
  if (!mayContainCommand(body)) return null;
  const cut = body!.length > COMMAND_SCAN_LIMIT;
  const lines = body!.slice(0, COMMAND_SCAN_LIMIT).replace(/\r\n?/g, "\n").split("\n");
  // A line cut short by the limit could read as another command (`/check l`): dropped, unless
  // it is cut past the line limit anyway.
  if (cut && lines.at(-1)!.length < COMMAND_LINE_LIMIT) lines.pop();
  lines.length = Math.min(lines.length, COMMAND_SCAN_LINES);
  const candidate = lines.map((line) => {
    const match = COMMAND_LINE.exec(line.trimStart());
    return !!match && names.has(match[1]!.toLowerCase());
  });
  const last = candidate.lastIndexOf(true);
  if (last < 0) return null;
  // The paragraph goes on to the next blank line (a setext underline there makes it a heading).
  let end = last + 1;
  while (end < lines.length && lines[end]!.trim() !== "") end++;
  return lines
    .slice(0, end)
    .map((line, i) => line.slice(0, candidate[i] ? COMMAND_LINE_LIMIT : CONTEXT_LINE_LIMIT))
    .join("\n");
}

/**
 * The command lines of a comment, in order. A command is a line of a top-level paragraph that
 * starts (after spaces) with `/name`, where `name` is one of ours matched whole and
 * case-insensitively: `/approve-certification` is never `/approve` plus text, `/foo` is nothing.
 * Parsing the Markdown (CommonMark, positions kept) rather than scanning lines is what makes
 * fenced and indented code, `>` quotes, list items, HTML comments and inline code spans not
 * commands — exactly as GitHub renders them. Bounded: only {@link commandRegion} is parsed.
 */
export function parseCommands(body: string | null | undefined): ParsedCommand[] {
  return parseCommandsNamed(body, NAMES);
}

/**
 * The same grammar for another set of names: the *Add a certificate authority* issues have
 * their own commands (src/app/ca-request/commands.ts).
 */
export function parseCommandsNamed<N extends string>(
  body: string | null | undefined,
  names: ReadonlyMap<string, N>,
): ParsedCommand<N>[] {
  const source = commandRegion(body, names);
  if (source === null) return [];
  const out: ParsedCommand<N>[] = [];
  for (const node of fromMarkdown(source, { extensions: [COMMAND_PARSE] }).children) {
    if (node.type !== "paragraph") continue;
    for (const line of paragraphLines(node, source)) {
      const match = COMMAND_LINE.exec(line);
      const name = match && names.get(match[1]!.toLowerCase());
      if (!name) continue;
      out.push({ name, args: match[2]!.trim().slice(0, MAX_ARGS), line: line.slice(0, MAX_ARGS) });
      if (out.length === MAX_COMMANDS_PER_COMMENT) return out;
    }
  }
  return out;
}

/**
 * Per comment, whether it holds a command: lets the caller remember every comment it has read,
 * with or without commands, so no comment is parsed again on a later event.
 */
export function commentScan(
  comments: readonly { id: number; body?: string | null }[],
): { id: number; hasCommands: boolean }[] {
  return comments.map((c) => ({ id: c.id, hasCommands: parseCommands(c.body).length > 0 }));
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
