/**
 * Characters that make one identifier look like another. Identifiers (device ids, the account
 * id) are ASCII by rule, so these are refused anyway; naming the reason tells the requester that
 * the text they pasted carries something they cannot see.
 */

// Unicode category Cf ("format"): bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069),
// zero-width characters (U+200B–U+200D, U+2060, U+FEFF), soft hyphen and friends.
const FORMAT_CHARACTER = /\p{Cf}/u;

// Scripts whose letters pass for Latin ones (Unicode TR 39 confusables are mostly among these).
const SCRIPTS = ["Latin", "Cyrillic", "Greek", "Armenian", "Cherokee", "Coptic", "Georgian"] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, "u")] as const);

/** `U+202E` for a code point: how a message names a character it must not print. */
export function codePointName(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The first invisible or direction character in `value`, named by code point. */
export function formatCharacter(value: string): string | undefined {
  const match = FORMAT_CHARACTER.exec(value);
  return match ? codePointName(match[0]) : undefined;
}

/** The scripts of the letters in `value`, among those that look alike. */
export function scriptsOf(value: string): string[] {
  return SCRIPT_PATTERNS.filter(([, pattern]) => pattern.test(value)).map(([name]) => name);
}

/**
 * A reason for refusing an identifier that holds invisible/direction characters, mixes scripts or
 * holds non-ASCII letters; undefined when it holds none of them.
 */
export function describeHiddenOrMixed(value: string): string | undefined {
  const hidden = formatCharacter(value);
  if (hidden)
    return `it contains an invisible or direction-changing character (${hidden}); type the id again rather than pasting it`;
  const scripts = scriptsOf(value);
  if (scripts.length > 1) return `it mixes ${scripts.join(" and ")} letters, which look alike; use ASCII letters only`;
  // eslint-disable-next-line no-control-regex -- the ASCII range is the point
  const other = /[^\u0000-\u007f]/u.exec(value);
  if (other) return `it contains the non-ASCII character ${codePointName(other[0])}; use ASCII letters only`;
  return undefined;
}

/** Text with every invisible or direction character shown as `[U+XXXX]`, so it can be quoted. */
export function revealFormatCharacters(value: string): string {
  return value.replace(/\p{Cf}/gu, (c) => `[${codePointName(c)}]`);
}
