import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defaultConfig, parseConfigText } from "../src/config/parse.js";
import type { AccessConfig } from "../src/config/schema.js";
import { OneRecordError } from "../src/errors.js";
import type { RunContext } from "./context.js";
import type { Octokit } from "./github.js";

/**
 * The configuration decides which extra CAs are trusted, so on a pull request it is read from the
 * base branch through the API: a PR that added its own CA to the config in its head would
 * otherwise approve its own certificates. Elsewhere (push, manual runs) the checked-out commit is
 * already trusted content. A missing file means the defaults.
 */
export async function loadConfig(
  path: string,
  context: RunContext,
  octokit: () => Octokit | Promise<Octokit>,
): Promise<{ config: AccessConfig; source: string }> {
  if (context.pullRequest) {
    const ref = context.pullRequest.baseRef;
    // The API client (and its HTTP stack) loads only on this path: elsewhere nothing needs it.
    const { readRepositoryFile } = await import("./github.js");
    const text = await readRepositoryFile(await octokit(), context, path, ref);
    return text === undefined
      ? { config: defaultConfig(), source: "defaults" }
      : { config: parseConfigText(text), source: `${path} at ${ref.slice(0, 12)} (base)` };
  }
  let text: string;
  try {
    text = readFileSync(resolve(context.workspace, path), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { config: defaultConfig(), source: "defaults" };
    throw new OneRecordError("io-error", `cannot read the configuration ${path}`, { cause: error });
  }
  return { config: parseConfigText(text), source: path };
}
