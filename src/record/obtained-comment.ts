import { createHash } from "node:crypto";
import type { CryptoKey, JSONWebKeySet } from "jose";
import * as z from "zod";
import { deviceKey, isValidDeviceId } from "../request/device-id.js";
import { signBlockProof, verifyBlockProof, type ProofResult } from "./block-proof.js";
import { parseHiddenBlock, writeHiddenBlock, type BlockParseResult } from "./hidden-block.js";
import { COMPACT_JWE } from "./token-workflow.js";

/**
 * The comment the obtain workflow (option 2, issue 20; docs/option-2.md) posts on the request
 * issue: a hidden block listing each device's certificate obtained through ACME — the public
 * chain, the ACME order, and the device's private key as a JWE to the customer's delivery key —
 * then text for people. The app opens the pull request that commits the chains from it (so the
 * certificate check runs on it: a pull request opened with a workflow's GITHUB_TOKEN starts no
 * workflow), records each delivered key's SHA-256, and removes the comment after
 * `/keys-received` or `certificates.onBehalf.keyCommentDays`.
 *
 * Anyone who can run a workflow could post such a comment: the block carries `proof`, a JWS over
 * everything (the chains and JWEs by their SHA-256) signed with the token signing key, which only
 * the protected environment holds. A report without a valid proof is never acted on — a forged
 * one would hand the customer a key its author knows.
 */

export const OBTAINED_MARKER = "<!-- onerecord-access:obtained ";
export const OBTAINED_VERSION = 1 as const;
export const OBTAINED_PROOF_TYPE = "onerecord-obtained+jwt";

const SIGNED_COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;
const PEM_CHAIN = /^(?:-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

export const obtainedEntrySchema = z
  .object({
    device: z.string().refine(isValidDeviceId, "not a valid device id"),
    /** Where the chain goes in the repository (`certificates.pathPattern`). */
    path: z
      .string()
      .max(300)
      .regex(/^[A-Za-z0-9._/-]+\.pem$/, "not a certificate path"),
    /** The DNS name the certificate carries (`certificates.onBehalf.identifier`). */
    identifier: z
      .string()
      .max(253)
      .regex(/^[a-z0-9.-]+$/, "not a DNS name"),
    orderUrl: z
      .string()
      .max(500)
      .regex(/^https:\/\/[^\s<>"]+$/, "not an https URL"),
    x5tS256: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "not a base64url SHA-256 thumbprint"),
    /** The chain as the CA gave it, leaf first: public, only certificates. */
    chainPem: z.string().max(32_000).regex(PEM_CHAIN, "not a PEM certificate chain"),
    /** The device's private key, encrypted to the delivery key (src/delivery/encrypt-device-key.ts). */
    keyJwe: z.string().max(32_000).regex(COMPACT_JWE, "not a compact JWE"),
  })
  .strict();
export type ObtainedEntry = z.infer<typeof obtainedEntrySchema>;

export const obtainedBlockSchema = z
  .object({
    version: z.literal(OBTAINED_VERSION),
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "not owner/name"),
    request: z.number().int().positive(),
    runId: z.number().int().positive(),
    runAttempt: z.number().int().positive(),
    workflow: z.string().regex(/^\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml$/, "not a workflow file path"),
    ref: z
      .string()
      .max(255)
      .regex(/^refs\/[^\s]+$/, "not a git ref"),
    sha: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, "not a commit id"),
    obtainedAt: z.string().regex(ISO_UTC, "not an ISO-8601 UTC time"),
    obtained: z.array(obtainedEntrySchema).min(1).max(50),
    proof: z
      .string()
      .max(64 * 1024)
      .regex(SIGNED_COMPACT_JWS, "not a compact JWS")
      .optional(),
  })
  .strict()
  .refine((b) => new Set(b.obtained.map((e) => deviceKey(e.device))).size === b.obtained.length, {
    message: "a device is listed twice",
    path: ["obtained"],
  });
export type ObtainedBlock = z.infer<typeof obtainedBlockSchema>;

const OBTAINED_KIND = { marker: OBTAINED_MARKER, what: "obtained-certificates", schema: obtainedBlockSchema };

export function writeObtainedBlock(block: ObtainedBlock): string {
  return writeHiddenBlock(OBTAINED_KIND, block);
}

export function parseObtainedComment(body: unknown): BlockParseResult<ObtainedBlock> {
  return parseHiddenBlock(OBTAINED_KIND, body);
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

/** What the proof signs: the block without the proof, each chain and JWE by its SHA-256. */
export function obtainedProofClaims(block: Omit<ObtainedBlock, "proof">): Record<string, unknown> {
  const { obtained, ...rest } = block;
  return {
    ...rest,
    obtained: obtained.map(({ chainPem, keyJwe, ...entry }) => ({
      ...entry,
      chainSha256: sha256(chainPem),
      keyJweSha256: sha256(keyJwe),
    })),
  };
}

export function signObtainedProof(
  block: Omit<ObtainedBlock, "proof">,
  key: { alg: string; kid: string; privateKey: CryptoKey },
): Promise<string> {
  return signBlockProof(obtainedProofClaims(block), key, OBTAINED_PROOF_TYPE);
}

export function verifyObtainedProof(block: ObtainedBlock, jwks: JSONWebKeySet): Promise<ProofResult> {
  const { proof, ...rest } = block;
  return verifyBlockProof(proof, obtainedProofClaims(rest), jwks, OBTAINED_PROOF_TYPE, "report");
}
