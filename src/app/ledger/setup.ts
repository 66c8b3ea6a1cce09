import type { AccessConfig } from "../../config/schema.js";
import { RUN_CLI } from "../../cli/program.js";
import type { RecordSigningKey } from "../../record/record-signing-key.js";

/** The app's record key as the process loaded it from `RECORD_SIGNING_KEY`, or why it could not. */
export type RecordKeyState = { ok: true; key: RecordSigningKey } | { ok: false; problem: string };

const DOCS = "docs/app.md, “The signed record”";

/**
 * Why the app cannot keep a signed record for this repository, or null when it can: it needs its
 * record key, and the configuration on the default branch must publish that key in
 * `records.jwks` (the token workflow verifies with it). Without both, nothing on a request
 * advances — an unsigned record is exactly what issue 9 removed — and the status says so. Pure.
 */
export function recordSetupProblem(config: AccessConfig, key: RecordKeyState): string | null {
  if (!key.ok) return `${key.problem} (${DOCS})`;
  const published = config.records.jwks?.keys ?? [];
  if (published.length === 0)
    return `the configuration publishes no \`records.jwks\`: add the public JWKS of the app's record key (\`${RUN_CLI} record-jwks --key record.key\`) on the default branch (${DOCS})`;
  if (!published.some((k) => k.kid === key.key.kid))
    return `\`records.jwks\` does not publish the app's current record key (kid \`${key.key.kid}\`): publish it before the app uses it (${DOCS})`;
  return null;
}
