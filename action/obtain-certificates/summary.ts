import type { ObtainedDevice } from "../../src/acme/obtain-device.js";
import { escapeHtml } from "../escape.js";
import type { ObtainRefusal } from "./2-decide.js";
import type { DeviceFault } from "./3-obtain.js";

/** How a run of mode obtain-certificates ended, for the job summary: public facts only, never a key, not even encrypted. */
export type ObtainSummary =
  | { kind: "refused"; request: number; reasons: ObtainRefusal[] }
  | { kind: "nothing"; request: number; reason: string }
  | {
      kind: "obtained";
      request: number;
      obtained: readonly Pick<ObtainedDevice, "device" | "identifier" | "x5tS256" | "orderUrl">[];
      faults: readonly DeviceFault[];
      commentUrls: string[];
    };

export function renderObtainSummary(outcome: ObtainSummary): string {
  const parts = [`<h2>OneRecord certificates obtained (option 2): request #${outcome.request}</h2>`];
  if (outcome.kind === "refused") {
    parts.push(`<p>❌ Nothing was obtained.</p>`, list(outcome.reasons.map((r) => [r.code, r.message])));
  } else if (outcome.kind === "nothing") {
    parts.push(`<p>Nothing to obtain: ${escapeHtml(outcome.reason)}.</p>`);
  } else {
    const links = outcome.commentUrls.map((u, i) => `<a href="${escapeHtml(u)}">report ${i + 1}</a>`).join(", ");
    parts.push(`<p>✅ ${outcome.obtained.length} certificate(s) obtained and reported (${links || "none"}).</p>`);
    const rows = outcome.obtained
      .map(
        (d) =>
          `<tr><td><code>${escapeHtml(d.device)}</code></td><td><code>${escapeHtml(d.identifier)}</code></td><td><code>${escapeHtml(d.x5tS256)}</code></td><td>${escapeHtml(d.orderUrl)}</td></tr>`,
      )
      .join("");
    if (rows)
      parts.push(`<table><tr><th>device</th><th>name</th><th>x5t#S256</th><th>ACME order</th></tr>${rows}</table>`);
    if (outcome.faults.length)
      parts.push(`<p>❌ Not obtained:</p>`, list(outcome.faults.map((f) => [f.code, `${f.device}: ${f.message}`])));
  }
  return `${parts.join("\n")}\n`;
}

function list(items: ReadonlyArray<readonly [string, string]>): string {
  return `<ul>${items.map(([code, message]) => `<li><code>${escapeHtml(code)}</code>: ${escapeHtml(message)}</li>`).join("")}</ul>`;
}
