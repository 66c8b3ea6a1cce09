/**
 * Markdown that quotes people's input without letting it act: no formatting, no HTML, no
 * mentions (which would notify), no table breaks, and never a line that starts with `/`.
 */

const ZERO_WIDTH_SPACE = "\u200b";
// Control characters (C0, DEL) and Unicode line separators: they would break a line or a table row.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

// Direction controls (Unicode Cf: ALM, LRM/RLM, embeddings, overrides, isolates): shown, they
// would reorder the text around them, so the reader would not see what was written.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const BIDI_ONE = /^[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSEEN = /[\u0000-\u001f\u007f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** What GitHub turns into a mention, a reference or an autolink: a zero-width space goes after it. */
const AUTOLINKED = /[@#]|:(?=\/\/)|www(?=\.)/gi;
/** Nothing to do for letters, digits, spaces and harmless punctuation. */
const PLAIN = /^[A-Za-z0-9 ,.'-]*$/;

/**
 * What a reader sees of a person's value: control characters and newlines become spaces,
 * direction controls become U+FFFD, the value is cut to `max` (with `…`), and `@` and `#` are
 * followed by a zero-width space so GitHub neither notifies `@someone` nor links `#123`, and
 * so are `:` before `//` and `www` before `.`: GitHub autolinks bare URLs in text whatever
 * backslashes they carry.
 */
export function literalText(value: string, max = 300): string {
  // The fast path must not skip `www.`: plain letters and dots can still be an autolink.
  if (PLAIN.test(value) && value.length <= max && !/www\./i.test(value)) return value;
  const flat = value.replace(UNSEEN, (c) => (BIDI_ONE.test(c) ? "\ufffd" : " "));
  const cut = flat.length > max ? `${flat.slice(0, max)}…` : flat;
  return cut.replace(AUTOLINKED, `$&${ZERO_WIDTH_SPACE}`);
}

/**
 * The one escaper every person's value goes through on its way into Markdown the app posts:
 * {@link literalText}, with every ASCII punctuation character backslash-escaped (always valid
 * in CommonMark, and `\|` is GFM's escape inside a table cell). No formatting, link, autolink,
 * image, HTML, HTML comment, mention or reference can come out of it, wherever it is placed in
 * a paragraph, list item or table cell. (Not at the start of a line: the app never puts a value
 * there.)
 */
export function escapeText(value: string, max = 300): string {
  return literalText(value, max).replace(/[!-/:-@[-`{-~]/g, "\\$&");
}

/**
 * An inline code span holding `value` verbatim (CommonMark: a fence of more backticks than any
 * run inside, padded with spaces). Used to quote a command in a reply: code is never a command,
 * and the reply puts it mid-line anyway.
 */
export function inlineCode(value: string, max = 200): string {
  // HTML comment delimiters are broken with a zero-width space: a code span shows them, but a
  // reader of the raw comment (the record's own `<!-- onerecord-access:record` block) must not.
  const flat = value
    .replace(CONTROL, " ")
    .replace(BIDI, "\ufffd")
    .replace(/<!-|--(?=>)/g, `$&${ZERO_WIDTH_SPACE}`);
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

const NBSP = "\u00a0";

/**
 * `2024-05-01 09:30 UTC` from an ISO time; the status comment is read by people in any zone.
 * The spaces are non-breaking: in a narrow table cell the time stays on one line.
 */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeText(iso, 40);
  return `${date.toISOString().slice(0, 10)}${NBSP}${date.toISOString().slice(11, 16)}${NBSP}UTC`;
}

export function link(text: string, url: string): string {
  return /^https:\/\/[^\s()<>]+$/.test(url) ? `[${text}](${url})` : text;
}
