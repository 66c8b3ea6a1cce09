import { createHash } from "node:crypto";
import type { CryptoKey, JSONWebKeySet } from "jose";
import * as z from "zod";
import { deviceKey, isValidDeviceId } from "../request/device-id.js";
import type { IssuedToken } from "../tokens/issue.js";
import { signBlockProof, verifyBlockProof, type ProofResult } from "./block-proof.js";
import { parseHiddenBlock, writeHiddenBlock } from "./hidden-block.js";
import type { IssuanceRecord } from "./schema.js";
import { COMPACT_JWE } from "./token-workflow.js";

/**
 * The comment the token workflow posts on the request issue: a hidden, machine-readable block
 * (what was issued, by which run) followed by text for people. The app turns it into issuance
 * records, but only after checking, through the API, that the run it names is the configured
 * workflow file on the default branch and succeeded: the comment is written with the workflow's
 * GITHUB_TOKEN, as `TOKEN_WORKFLOW_BOT` (src/record/token-workflow.ts), an account any workflow of the repository can post as.
 *
 * The block may also carry `proof`: a JWS over everything but the JWEs themselves (their SHA-256
 * instead), signed with the token signing key. Only the protected environment holds that key, so
 * a reader that has the published JWKS can tell a real issuance from one another workflow posted
 * (`verifyIssuanceProof`).
 */

export const ISSUANCE_MARKER = "<!-- onerecord-access:issuance ";
export const ISSUANCE_VERSION = 1 as const;
/** The JWS `typ` of the proof: never accepted as a device token, and a device token is never accepted as a proof. */
export const ISSUANCE_PROOF_TYPE = "onerecord-issuance+jwt";

// The proof is always signed: unlike `COMPACT_JWS` (src/tokens/compact.ts) its signature part is never empty.
const SIGNED_COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// Seconds precision or milliseconds, always UTC: the record compares these as strings.
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;

/**
 * One token as the issuance comment lists it: the public facts of an `IssuedToken`
 * (src/tokens/issue.ts, the JWE and every claim, which exists only inside the token workflow)
 * flattened — device (`sub`), `jti`, binding (`cnf["x5t#S256"]`), `iat`, `exp` — and its JWE.
 * Never the JWT. The Action posts these, the app reads them back: one type for both
 * (`issuanceEntryOf` is the one mapping from a token).
 */
export const issuanceEntrySchema = z
  .object({
    device: z.string().refine(isValidDeviceId, "not a valid device id"),
    jti: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, "not a token id"),
    /** RFC 8705 thumbprint of the certificate the token is bound to. */
    x5tS256: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "not a base64url SHA-256 thumbprint"),
    iat: z.number().int().positive(),
    exp: z.number().int().positive(),
    /** The token, encrypted to the device certificate's public key. */
    jwe: z.string().max(16_384).regex(COMPACT_JWE, "not a compact JWE"),
    /** Its index in the request's token status list, when it carries a status claim. */
    statusIdx: z.number().int().nonnegative().optional(),
  })
  .strict()
  .refine((t) => t.exp > t.iat, { message: "exp must be after iat", path: ["exp"] });
export type IssuanceEntry = z.infer<typeof issuanceEntrySchema>;

/** The entry that lists a freshly issued token: nothing but its public claims and its JWE. */
export function issuanceEntryOf(token: IssuedToken): IssuanceEntry {
  const { claims, jwe } = token;
  return {
    device: claims.sub,
    jti: claims.jti,
    x5tS256: claims.cnf["x5t#S256"],
    iat: claims.iat,
    exp: claims.exp,
    jwe,
    ...(claims.status ? { statusIdx: claims.status.status_list.idx } : {}),
  };
}

export const issuanceBlockSchema = z
  .object({
    version: z.literal(ISSUANCE_VERSION),
    /** "owner/name" of the repository the run belongs to. */
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "not owner/name"),
    request: z.number().int().positive(),
    runId: z.number().int().positive(),
    runAttempt: z.number().int().positive(),
    runUrl: z
      .string()
      .max(500)
      .regex(/^https?:\/\/[^\s<>"]+$/, "not a URL"),
    /** The workflow file that ran, e.g. `.github/workflows/issue-tokens.yml` (`tokenWorkflowPath`). */
    workflow: z.string().regex(/^\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml$/, "not a workflow file path"),
    ref: z
      .string()
      .max(255)
      .regex(/^refs\/[^\s]+$/, "not a git ref"),
    sha: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, "not a commit id"),
    issuedAt: z.string().regex(ISO_UTC, "not an ISO-8601 UTC time"),
    /** Large requests are split over several comments: every part names the same run. */
    part: z.number().int().positive(),
    parts: z.number().int().positive().max(1000),
    issued: z.array(issuanceEntrySchema).min(1).max(1000),
    proof: z
      .string()
      .max(1024 * 1024)
      .regex(SIGNED_COMPACT_JWS, "not a compact JWS")
      .optional(),
  })
  .strict()
  .refine((b) => b.part <= b.parts, { message: "part is beyond parts", path: ["part"] })
  .refine((b) => new Set(b.issued.map((t) => deviceKey(t.device))).size === b.issued.length, {
    message: "a device is listed twice",
    path: ["issued"],
  });
export type IssuanceBlock = z.infer<typeof issuanceBlockSchema>;

export type IssuanceParseResult =
  { ok: true; found: true; block: IssuanceBlock } | { ok: false; found: boolean; reason: string };

const ISSUANCE_KIND = { marker: ISSUANCE_MARKER, what: "issuance", schema: issuanceBlockSchema };

/** The hidden block, first in the comment (src/record/hidden-block.ts). */
export function writeIssuanceBlock(block: IssuanceBlock): string {
  return writeHiddenBlock(ISSUANCE_KIND, block);
}

/**
 * Reads the issuance block from a comment body. Never throws: `found: false` when the body is not
 * an issuance comment (the block must open the comment), `found: true` with the reason when it is
 * one that does not parse or fit the schema. Callers check the author and the run separately.
 */
export function parseIssuanceComment(body: unknown): IssuanceParseResult {
  return parseHiddenBlock(ISSUANCE_KIND, body);
}

/**
 * The issuance records of one block, as the app stores them (`AccessRecord.issuance`). `at` is
 * when the issuance takes effect — the app passes its run's completion — and defaults to the
 * block's issue time; `issuedAt` is always the issue time.
 */
export function issuanceRecordsFrom(
  block: IssuanceBlock,
  options: { by?: string; at?: string } = {},
): IssuanceRecord[] {
  return block.issued.map((t) => ({
    device: t.device,
    jti: t.jti,
    x5tS256: t.x5tS256,
    expiresAt: new Date(t.exp * 1000).toISOString(),
    runUrl: block.runUrl,
    at: options.at ?? block.issuedAt,
    issuedAt: block.issuedAt,
    ...(options.by ? { by: options.by } : {}),
    ...(t.statusIdx !== undefined ? { statusIdx: t.statusIdx } : {}),
  }));
}

/** What the proof signs: the block without the JWEs (their SHA-256 instead) and without the proof. */
export function issuanceProofClaims(block: Omit<IssuanceBlock, "proof">): Record<string, unknown> {
  return {
    repository: block.repository,
    request: block.request,
    runId: block.runId,
    runAttempt: block.runAttempt,
    workflow: block.workflow,
    ref: block.ref,
    sha: block.sha,
    issuedAt: block.issuedAt,
    part: block.part,
    parts: block.parts,
    issued: block.issued.map((t) => ({
      device: t.device,
      jti: t.jti,
      x5tS256: t.x5tS256,
      iat: t.iat,
      exp: t.exp,
      jweSha256: createHash("sha256").update(t.jwe).digest("base64url"),
    })),
  };
}

/** Signs the proof with the token signing key (`SigningKey` from src/tokens). */
export function signIssuanceProof(
  block: Omit<IssuanceBlock, "proof">,
  key: { alg: string; kid: string; privateKey: CryptoKey },
): Promise<string> {
  return signBlockProof(issuanceProofClaims(block), key, ISSUANCE_PROOF_TYPE);
}

export type { ProofResult };

/**
 * Checks a block's proof against the published JWKS (public keys only). Never throws for a bad
 * proof; a broken JWKS is the caller's configuration problem and throws.
 */
export function verifyIssuanceProof(block: IssuanceBlock, jwks: JSONWebKeySet): Promise<ProofResult> {
  const { proof, ...rest } = block;
  return verifyBlockProof(proof, issuanceProofClaims(rest), jwks, ISSUANCE_PROOF_TYPE, "issuance block");
}
