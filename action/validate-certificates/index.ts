import * as core from "@actions/core";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { summarize } from "../../src/certificates/report.js";
import type { AccessConfig } from "../../src/config/schema.js";
import { loadConfig } from "../config.js";
import type { RunContext } from "../context.js";
import type { Octokit } from "../github.js";
import type { ActionInputs } from "../inputs.js";
import { globMatcher, listWorkspaceFiles, readWorkspaceFile } from "../workspace.js";
import { selectFiles } from "./1-select-files.js";
import type { Selection } from "./1-select-files.js";
import type { Validated } from "./2-validate.js";
import { annotationsFor } from "./3-annotate.js";
import { renderSummary } from "./4-summarize.js";

export interface Dependencies {
  /** Injected by tests so nock sees the API calls. */
  fetch?: typeof globalThis.fetch;
}

/**
 * Mode `validate-certificates`: the edges (API, workspace, outputs) around the numbered steps.
 * Returns normally when every file is valid; any invalid file fails the step.
 */
export async function validateCertificates(
  inputs: ActionInputs,
  context: RunContext,
  deps: Dependencies = {},
): Promise<void> {
  // The GitHub API client loads on first use: a push or manual run with no configuration to
  // fetch never needs it (nor its HTTP stack, most of the bundle's start-up).
  let client: Octokit | undefined;
  const octokit = async (): Promise<Octokit> =>
    (client ??= (await import("../github.js")).createOctokit({
      token: inputs.githubToken,
      baseUrl: context.apiUrl,
      fetch: deps.fetch,
    }));

  const { config, source } = await loadConfig(inputs.config, context, octokit);
  const pr = context.pullRequest;
  const changedOnly = (inputs.changedOnly ?? pr !== undefined) && pr !== undefined;
  if (inputs.changedOnly && !pr)
    core.info(`changed-only applies to pull requests; this ${context.eventName || "run"} checks every matching file.`);

  // On a pull request the file list is always fetched: every changed file is scanned for keys.
  const changed = pr
    ? await (await import("../github.js")).listPullRequestFiles(await octokit(), context, pr.number, pr.changedFiles)
    : undefined;
  const selection = selectFiles({
    matches: globMatcher(inputs.paths),
    changedOnly,
    changed,
    workspaceFiles: listWorkspaceFiles(context.workspace, inputs.paths),
  });

  const { report, unscanned } = await judge(selection, inputs, context, config);

  for (const file of report.files)
    core.info(`${file.verdict === "valid" ? "valid  " : "INVALID"}  ${JSON.stringify(file.path)}`);
  for (const a of annotationsFor(report, unscanned)) {
    (a.level === "error" ? core.error : core.warning)(a.message, { file: a.file, title: a.title });
  }

  const reportPath = join(context.tempDir, "onerecord-access", "certificate-report.json");
  mkdirSync(join(context.tempDir, "onerecord-access"), { recursive: true });
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  core.setOutput("valid-count", report.summary.valid);
  core.setOutput("invalid-count", report.summary.invalid);
  core.setOutput("report", reportPath);

  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary
      .addRaw(
        renderSummary(report, { configSource: source, changedOnly, validationTime: inputs.validationTime, unscanned }),
      )
      .write();
  }

  if (report.summary.invalid > 0) {
    const keys = report.files.filter((f) => f.errors.some((e) => e.code === "private-key")).length;
    const what = keys > 0 ? ` (${keys} with private key material)` : "";
    core.setFailed(
      `${report.summary.invalid} of ${report.files.length} files failed the certificate check${what}; see the annotations and the job summary.`,
    );
  } else if (report.files.length === 0) {
    core.info("No certificate files to check.");
  } else {
    core.info(`All ${report.files.length} certificate files are valid.`);
  }
}

/**
 * Step 2 with the judge loaded only when there is something to judge: a selection without a
 * certificate or a changed file has nothing to read, and its report is the empty one.
 */
async function judge(
  selection: Selection,
  inputs: ActionInputs,
  context: RunContext,
  config: AccessConfig,
): Promise<Validated> {
  if (selection.certificates.length === 0 && selection.keyScan.length === 0) {
    return { report: summarize([]), unscanned: [] };
  }
  const [{ MAX_SCANNED_BYTES, validateSelection }, { TrustStore }] = await Promise.all([
    import("./2-validate.js"),
    import("../../src/certificates/trust-store.js"),
  ]);
  return validateSelection(selection, {
    root: context.workspace,
    trust: TrustStore.default(config.certificates.extraCAs),
    at: inputs.validationTime,
    warnDays: inputs.warnDays ?? config.certificates.warnDays,
    pattern: config.certificates.pathPattern,
    read: (path) => readWorkspaceFile(context.workspace, path, MAX_SCANNED_BYTES),
  });
}
