import type { Context } from "probot";
import { CONFIG_PATH, parseConfigObject } from "../../config/parse.js";
import type { AccessConfig } from "../../config/schema.js";
import { isOneRecordError } from "../../errors.js";

export type ConfigResult = { ok: true; config: AccessConfig } | { ok: false; field: string; message: string };

/** The config file name under `.github/`, as Probot's loader wants it. */
export const CONFIG_FILE = CONFIG_PATH.replace(/^\.github\//, "");

/**
 * Reads `.github/onerecord-access.yml` with Probot's loader (default branch only; one request
 * when the file exists) and validates it. A missing file means the defaults; a broken one is
 * reported with the field that broke, never thrown at the webhook.
 */
export async function loadConfig(context: Pick<Context, "config">): Promise<ConfigResult> {
  let raw: unknown;
  try {
    raw = await context.config(CONFIG_FILE);
  } catch (error) {
    // An HTTP failure (rate limit, outage, missing permission) is not a broken file: let it fail
    // loudly so the delivery can be retried, rather than telling the requester the config is wrong.
    if (typeof (error as { status?: unknown }).status === "number") throw error;
    const reason =
      error instanceof Error ? error.message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, "") : "unreadable";
    return { ok: false, field: "(root)", message: `${CONFIG_PATH}: ${reason.split("\n")[0]}` };
  }
  try {
    return { ok: true, config: parseConfigObject(raw) };
  } catch (error) {
    if (isOneRecordError(error, "config-invalid"))
      return { ok: false, field: error.field ?? "(root)", message: error.message };
    throw error;
  }
}
