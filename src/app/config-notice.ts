import { createHash } from "node:crypto";

/**
 * How the app marks its notice that the configuration is broken (src/app/handlers/config-error.ts),
 * for the readers below the handlers that must tell it from the app's other comments.
 */
export const CONFIG_ERROR_MARKER = "<!-- onerecord-access:config-error ";

/** A stable id for a configuration problem, so the same problem is reported once per issue. */
export function configProblemId(message: string): string {
  return createHash("sha256").update(message).digest("hex").slice(0, 16);
}
