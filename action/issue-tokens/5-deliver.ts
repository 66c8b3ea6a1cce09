import { COMMENT_LIMIT } from "../../src/record/index.js";
import {
  ISSUANCE_VERSION,
  signIssuanceProof,
  writeIssuanceBlock,
  type IssuanceBlock,
  type IssuanceEntry,
} from "../../src/record/issuance-comment.js";
import { DECRYPT_COMMAND } from "../../src/cli/program.js";
import { OneRecordError } from "../../src/errors.js";
import type { SigningKey } from "../../src/tokens/index.js";
import type { RunContext } from "../context.js";
import { createIssueComment, type Octokit } from "../github.js";

/** The run fields every issuance comment carries. */
export type IssuanceRun = Pick<
  IssuanceBlock,
  "repository" | "request" | "runId" | "runAttempt" | "runUrl" | "workflow" | "ref" | "sha" | "issuedAt"
>;

/** Seconds since the epoch as the comments write times: ISO 8601 UTC to the second (`2026-11-28T12:00:00Z`). */
export function isoUtcSeconds(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** Characters per comment we plan for, well under GitHub's limit (the proof's size is estimated). */
export const COMMENT_BUDGET = 60_000;
const FIXED_OVERHEAD = 4_000;

/**
 * Step 5, its pure part (but for signing): the issuance comment(s). Normally one; a request with many
 * devices is split so each comment stays under GitHub's size limit, every part naming the run and
 * its place (`part` of `parts`). Each part carries its own proof, signed with the token key.
 */
export async function renderIssuanceComments(
  run: IssuanceRun,
  entries: readonly IssuanceEntry[],
  key: Pick<SigningKey, "alg" | "kid" | "privateKey">,
  budget = COMMENT_BUDGET,
): Promise<string[]> {
  const groups: IssuanceEntry[][] = [];
  let current: IssuanceEntry[] = [];
  let size = FIXED_OVERHEAD;
  for (const entry of entries) {
    const cost = entrySize(entry);
    if (current.length > 0 && size + cost > budget) {
      groups.push(current);
      current = [];
      size = FIXED_OVERHEAD;
    }
    current.push(entry);
    size += cost;
  }
  if (current.length > 0) groups.push(current);

  const bodies: string[] = [];
  for (const [index, issued] of groups.entries()) {
    const block: Omit<IssuanceBlock, "proof"> = {
      version: ISSUANCE_VERSION,
      ...run,
      part: index + 1,
      parts: groups.length,
      issued: issued.map(blockEntry),
    };
    const proof = await signIssuanceProof(block, key);
    const body = `${writeIssuanceBlock({ ...block, proof })}\n${readableText(run, issued, index + 1, groups.length)}`;
    if (body.length >= COMMENT_LIMIT)
      throw new Error(`issuance comment part ${index + 1} is ${body.length} characters, over GitHub's limit`);
    bodies.push(body);
  }
  return bodies;
}

/** Only the entry's own fields, whatever else a caller's object carries (the block's schema is strict). */
function blockEntry(e: IssuanceEntry): IssuanceEntry {
  return { device: e.device, jti: e.jti, x5tS256: e.x5tS256, iat: e.iat, exp: e.exp, jwe: e.jwe };
}

/** What one token adds to a comment: table row, JWE section, block entry and its share of the proof. */
function entrySize(e: IssuanceEntry): number {
  const json = JSON.stringify(blockEntry(e)).length + 1;
  const proof = Math.ceil(((json - e.jwe.length + 60) * 4) / 3);
  return row(e).length + jweSection(e).length + json + proof + 8;
}

const code = (text: string) => `\`${text}\``;
// Values are schema-checked (device ids, UUIDs, base64url): none can hold a backtick or a pipe.
const row = (e: IssuanceEntry) =>
  `| ${code(e.device)} | ${code(e.jti)} | ${code(e.x5tS256)} | ${isoUtcSeconds(e.exp)} |`;
const jweSection = (e: IssuanceEntry) => `${code(e.device)}\n\n\`\`\`text\n${e.jwe}\n\`\`\`\n`;

function readableText(run: IssuanceRun, issued: readonly IssuanceEntry[], part: number, parts: number): string {
  const runLink = `[workflow run ${run.runId}](${run.runUrl.replace(/[()]/g, (c) => encodeURIComponent(c))})`;
  return [
    `### 🔑 Device tokens for request #${run.request}${parts > 1 ? ` (part ${part} of ${parts})` : ""}`,
    "",
    `Issued by ${runLink} at ${run.issuedAt} for ${issued.length} device(s). Each token is delivered **encrypted to its device certificate** (a JWE): only the holder of that device's private key can read it, and the OneRecord API accepts it only over mutual TLS with that same certificate.`,
    "",
    "| Device | Token id (`jti`) | Certificate thumbprint (`x5t#S256`) | Expires (UTC) |",
    "| --- | --- | --- | --- |",
    ...issued.map(row),
    "",
    "**To read a token**, on the machine that holds the device's private key, from the root of your clone of this repository (it needs only Node.js), run",
    "",
    "```sh",
    DECRYPT_COMMAND,
    "```",
    "",
    "where `DEVICE.key` is the device's private key (PEM) and `JWE` is the device's encrypted token below (or a file holding it, or `-` to read it from standard input). It prints the device JWT: send it as `Authorization: Bearer <JWT>` on a TLS connection that presents the device certificate, and keep it as secret as the key.",
    "",
    "<details><summary>Encrypted tokens (JWE), one per device</summary>",
    "",
    ...issued.map(jweSection),
    "</details>",
    "",
    "<sub>Posted by the protected token workflow. The OneRecord access app records this issuance once it has checked that the run above is that workflow on the default branch and that it succeeded.</sub>",
  ].join("\n");
}

/**
 * Step 5, the edge: posts the comments `renderIssuanceComments` wrote, in order, and returns their
 * URLs. A part that cannot be posted stops the delivery with an error that says how many parts
 * went out before it: the app accepts an issuance only from a run that succeeded, so a partial
 * delivery is never recorded, and the next run issues new tokens.
 */
export async function deliverIssuance(
  octokit: Octokit,
  context: RunContext,
  request: number,
  bodies: readonly string[],
): Promise<string[]> {
  const urls: string[] = [];
  for (const [index, body] of bodies.entries()) {
    try {
      urls.push((await createIssueComment(octokit, context, request, body)).url);
    } catch (error) {
      const posted =
        index > 0
          ? ` after ${index} of ${bodies.length} parts were posted; those tokens are not recorded and the next run issues new ones`
          : "";
      throw new OneRecordError(
        "io-error",
        `${error instanceof Error ? error.message : "cannot post the issuance comment"}${posted}`,
      );
    }
  }
  return urls;
}
