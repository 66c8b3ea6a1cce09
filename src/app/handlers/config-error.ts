import { isAuthoredBy, isStatusBody } from "../../record/codec.js";
import type { GitHubIO } from "../github/rest.js";
import { escapeText, inlineCode } from "../render/markdown.js";
import { CONFIG_ERROR_MARKER, configProblemId } from "../config-notice.js";

export { CONFIG_ERROR_MARKER };
const MARKER = CONFIG_ERROR_MARKER;

/**
 * A broken configuration is told once per issue and problem (the notice carries the problem's
 * id, and the app looks for its own notice before posting): nothing else happens until the
 * file on the default branch is fixed.
 */
export async function reportConfigError(
  io: GitHubIO,
  issue: number,
  botLogin: string,
  problem: { field: string; message: string },
  isRequest: (statusFound: boolean) => boolean,
): Promise<boolean> {
  const comments = await io.listComments(issue);
  const mine = comments.filter((c) => isAuthoredBy(c, botLogin));
  // The same recognition as everywhere else (a reply quoting the marker is not a status comment).
  if (!isRequest(mine.some((c) => isStatusBody(c, botLogin)))) return false;
  const id = configProblemId(problem.message);
  if (mine.some((c) => c.body.includes(`${MARKER}${id} -->`))) return false;
  const body = [
    `${MARKER}${id} -->`,
    `**The OneRecord access app cannot act on this request: its configuration is broken.**`,
    "",
    `Field ${inlineCode(problem.field)}: ${escapeText(problem.message, 500)}`,
    "",
    [
      `Nothing on this request moves until a maintainer fixes ${inlineCode(".github/onerecord-access.yml")} on the`,
      `default branch (the published JSON Schema, ${inlineCode("schema/onerecord-access.schema.json")}, helps editors`,
      "check it). Commands posted meanwhile run on the next event after the fix.",
    ].join(" "),
  ].join("\n");
  await io.createComment(issue, body);
  return true;
}
