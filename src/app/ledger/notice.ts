import { STATUS_MARKER } from "../../record/codec.js";
import { escapeText } from "../render/markdown.js";

/**
 * Marks the status comment the app writes while it cannot keep a signed record: once the key is
 * configured, a request carrying only this notice is new to the ledger, not a lost record.
 */
export const UNCONFIGURED_MARKER = "<!-- onerecord-access:unconfigured -->";

/** The status comment while the app cannot keep a signed record (`recordSetupProblem`). */
export function renderSetupNotice(problem: string): string {
  return [
    STATUS_MARKER,
    UNCONFIGURED_MARKER,
    "## Production access request · waiting for the app's configuration",
    "",
    "> [!WARNING]",
    `> The app cannot keep a signed record of this request: ${escapeText(problem, 600)}.`,
    "> Nothing on this request advances until an operator fixes it. Commands written meanwhile are kept in the",
    "> comments and run, in order, once the app can record them.",
    "",
  ].join("\n");
}
