/**
 * Markdown that quotes people's input without letting it act: no formatting, no HTML, no
 * mentions (which would notify), no table breaks, and never a line that starts with `/`.
 */

const ZERO_WIDTH_SPACE = "\u200b";
// Control characters (C0, DEL) and Unicode line separators: they would break a line or a table row.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

/**
 * Literal text: every ASCII punctuation character is backslash-escaped (always valid in
 * CommonMark), control characters and newlines become spaces, and `@` gets a zero-width space
 * after it so GitHub does not turn `@someone` into a mention.
 */
export function escapeText(value: string, max = 300): string {
  const flat = value.replace(CONTROL, " ");
  const cut = flat.length > max ? `${flat.slice(0, max)}…` : flat;
  return cut.replace(/[!-/:-@[-`{-~]/g, (c) => (c === "@" ? `@${ZERO_WIDTH_SPACE}` : `\\${c}`));
}

/**
 * An inline code span holding `value` verbatim (CommonMark: a fence of more backticks than any
 * run inside, padded with spaces). Used to quote a command in a reply: code is never a command,
 * and the reply puts it mid-line anyway.
 */
export function inlineCode(value: string, max = 200): string {
  const flat = value.replace(CONTROL, " ");
  const text = flat.length > max ? `${flat.slice(0, max)}…` : flat;
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  // CommonMark strips one space from each end when both are spaces: pad only when needed.
  const pad = text.startsWith("`") || text.endsWith("`") || (text.startsWith(" ") && text.endsWith(" ")) ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A GitHub login as a profile link (no mention, so re-rendering the status notifies nobody). */
export function userLink(login: string): string {
  const safe = /^[A-Za-z0-9-]+(\[bot\])?$/.test(login) ? login : escapeText(login, 60);
  return `[${safe.replace(/[[\]]/g, "\\$&")}](https://github.com/${encodeURIComponent(login.replace(/\[bot\]$/, ""))})`;
}

/** A mention, for replies addressed to the person who ran a command. */
export function mention(login: string): string {
  return /^[A-Za-z0-9-]+$/.test(login) ? `@${login}` : escapeText(login, 60);
}

/** `2024-05-01 09:30 UTC` from an ISO time; the status comment is read by people in any zone. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeText(iso, 40);
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function link(text: string, url: string): string {
  return /^https:\/\/[^\s()<>]+$/.test(url) ? `[${text}](${url})` : text;
}
