import { COMMENT_LIMIT } from "../../src/record/index.js";
import {
  ISSUANCE_VERSION,
  signIssuanceProof,
  writeIssuanceBlock,
  type IssuanceBlock,
  type IssuanceEntry,
} from "../../src/record/issuance-comment.js";
import type { SigningKey } from "../../src/tokens/index.js";
import { escapeHtml } from "../escape.js";
import type { Refusal } from "./2-decide.js";

/** The run fields every issuance comment carries. */
export type IssuanceRun = Pick<
  IssuanceBlock,
  "repository" | "request" | "runId" | "runAttempt" | "runUrl" | "workflow" | "ref" | "sha" | "issuedAt"
>;

/** Characters per comment we plan for, well under GitHub's limit (the proof's size is estimated). */
export const COMMENT_BUDGET = 60_000;
const FIXED_OVERHEAD = 4_000;

/**
 * Step 5 (pure but for signing): the issuance comment(s). Normally one; a request with many
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
const expiry = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
// Values are schema-checked (device ids, UUIDs, base64url): none can hold a backtick or a pipe.
const row = (e: IssuanceEntry) => `| ${code(e.device)} | ${code(e.jti)} | ${code(e.x5tS256)} | ${expiry(e.exp)} |`;
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
    "**To read a token**, on the machine that holds the device's private key, run",
    "",
    "```sh",
    "onerecord-access decrypt-token --key DEVICE.key JWE",
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

export type Outcome =
  | { kind: "refused"; request: number; reasons: Refusal[] }
  | { kind: "nothing"; request: number; reason: string }
  // Typed without the JWE: the summary shows what was issued, never a token, not even encrypted.
  | {
      kind: "issued";
      request: number;
      issued: readonly Omit<IssuanceEntry, "jwe">[];
      commentUrls: string[];
      jwks: string;
    };

/** The job summary as HTML: devices, token ids, thumbprints and expiry, never a token or a JWE. Every value is escaped. */
export function renderJobSummary(outcome: Outcome): string {
  const parts = [`<h2>OneRecord token issuance: request #${outcome.request}</h2>`];
  if (outcome.kind === "refused") {
    parts.push(`<p>❌ Nothing was issued.</p>`);
    parts.push(
      `<ul>${outcome.reasons.map((r) => `<li><code>${escapeHtml(r.code)}</code>: ${escapeHtml(r.message)}</li>`).join("")}</ul>`,
    );
  } else if (outcome.kind === "nothing") {
    parts.push(`<p>Nothing to issue: ${escapeHtml(outcome.reason)}.</p>`);
  } else {
    const links = outcome.commentUrls
      .map(
        (url, i) =>
          `<a href="${escapeHtml(url)}">${outcome.commentUrls.length > 1 ? `part ${i + 1}` : "issuance comment"}</a>`,
      )
      .join(", ");
    parts.push(
      `<p>✅ ${outcome.issued.length} token(s) issued and delivered encrypted on the request issue (${links}).</p>`,
    );
    const rows = outcome.issued
      .map(
        (e) =>
          `<tr><td><code>${escapeHtml(e.device)}</code></td><td><code>${escapeHtml(e.jti)}</code></td><td><code>${escapeHtml(e.x5tS256)}</code></td><td>${escapeHtml(expiry(e.exp))}</td></tr>`,
      )
      .join("");
    parts.push(`<table><tr><th>device</th><th>jti</th><th>x5t#S256</th><th>expires (UTC)</th></tr>${rows}</table>`);
    parts.push(
      `<p>Public signing keys (JWKS, output <code>jwks</code>): publish them where the API reads keys.</p>`,
      `<pre>${escapeHtml(outcome.jwks)}</pre>`,
    );
  }
  return `${parts.join("\n")}\n`;
}
