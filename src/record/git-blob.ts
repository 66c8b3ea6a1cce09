import { createHash } from "node:crypto";

/**
 * Git's object id of a blob (sha1 over `blob <size>\0` and the bytes; git's object format,
 * "Git Internals - Git Objects"): the `sha` the contents API gives and compares, and what a
 * record's `previous` names. Computed from the raw bytes so that one request (the raw media type,
 * which carries no sha) is enough, and so an auditor recomputes it offline.
 */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\u0000`).update(bytes).digest("hex");
}

/** The blob sha of a text as the app writes it (UTF-8). */
export function textBlobSha(text: string): string {
  return gitBlobSha(Buffer.from(text, "utf8"));
}
