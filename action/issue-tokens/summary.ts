import type { IssuanceEntry } from "../../src/record/issuance-comment.js";
import { escapeHtml } from "../escape.js";
import type { Refusal } from "./2-decide.js";
import { isoUtcSeconds } from "./5-deliver.js";

/** How a run of the token mode ended, for the job summary. */
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
          `<tr><td><code>${escapeHtml(e.device)}</code></td><td><code>${escapeHtml(e.jti)}</code></td><td><code>${escapeHtml(e.x5tS256)}</code></td><td>${escapeHtml(isoUtcSeconds(e.exp))}</td></tr>`,
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
