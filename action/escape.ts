/**
 * Escaping for the job summary. `core.summary` writes text as-is, and GitHub renders the summary
 * as Markdown with embedded HTML, so anything taken from a certificate or a path (a subject may
 * hold `<script>`, `|`, backticks or Markdown links) must reach it as inert text.
 *
 * Every character that means something to HTML or to Markdown becomes a numeric character
 * reference: it renders as itself and can neither open a tag, close a table cell, nor start
 * emphasis, a link, code or math. Line breaks become spaces so a value can never end the surrounding
 * HTML block (a blank line would switch GitHub back to Markdown parsing).
 */
const SPECIAL = /[&<>"'`|*_[\]()!#~\\{}$]/g;
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/g;

export function escapeHtml(text: string): string {
  return text.replace(LINE_BREAK, " ").replace(SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}
