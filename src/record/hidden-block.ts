import type * as z from "zod";
import { OneRecordError } from "../errors.js";

/**
 * A machine-readable block hidden in a comment (`<!-- onerecord-access:<kind> {json} -->`, first
 * in the body), as the workflows post them and the app reads them back (the token workflow's
 * issuance, the obtain workflow's certificates). One codec for every kind: `<`, `>` and `&` are
 * written as JSON escapes, so the JSON can never close the HTML comment; reading never throws.
 */

const BLOCK_CLOSE = " -->";
const MAX_BLOCK_CHARS = 1024 * 1024;

export interface BlockKind<T> {
  /** `<!-- onerecord-access:<kind> ` */
  marker: string;
  /** What the messages call it: "the <what> block". */
  what: string;
  schema: z.ZodType<T>;
}

export type BlockParseResult<T> = { ok: true; found: true; block: T } | { ok: false; found: boolean; reason: string };

export function writeHiddenBlock<T>(kind: BlockKind<T>, block: T): string {
  const parsed = kind.schema.safeParse(block);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".") || "(root)";
    throw new OneRecordError(
      "input-invalid",
      `the ${kind.what} block does not fit its schema at ${field}: ${issue.message}`,
      {
        field,
      },
    );
  }
  const json = JSON.stringify(parsed.data).replace(
    /[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${kind.marker}${json}${BLOCK_CLOSE}`;
}

/**
 * The block opening a comment body: `found: false` when the body is not such a comment,
 * `found: true` with the reason when it is one that does not parse or fit the schema. Callers
 * check the author and what the block claims separately.
 */
export function parseHiddenBlock<T>(kind: BlockKind<T>, body: unknown): BlockParseResult<T> {
  const name = `the ${kind.what} block`;
  try {
    if (typeof body !== "string") return { ok: false, found: false, reason: "the comment has no body" };
    const text = body.trimStart();
    if (!text.startsWith(kind.marker))
      return { ok: false, found: false, reason: `the comment does not open with an ${kind.what} block` };
    const end = text.indexOf(BLOCK_CLOSE, kind.marker.length);
    if (end < 0) return { ok: false, found: true, reason: `${name} is not closed` };
    const json = text.slice(kind.marker.length, end);
    if (json.length > MAX_BLOCK_CHARS) return { ok: false, found: true, reason: `${name} is too large` };
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      return { ok: false, found: true, reason: `${name} is not JSON` };
    }
    const parsed = kind.schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const at = issue.path.map(String).join(".") || "(root)";
      return { ok: false, found: true, reason: `${name} does not fit its schema at ${at}: ${issue.message}` };
    }
    return { ok: true, found: true, block: parsed.data };
  } catch {
    return { ok: false, found: true, reason: `${name} could not be read` };
  }
}
