import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

/**
 * Runs the committed bundle as the runner does: `node action/dist/index.js`, inputs as INPUT_*
 * variables (action.yml defaults for the rest), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the
 * event payload at GITHUB_EVENT_PATH. stdout and stderr are kept apart so each can be checked.
 */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const bundlePath = join(repoRoot, "action/dist/index.js");

export interface BundleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT as written, and parsed. */
  outputFile: string;
  outputs: Record<string, string>;
  summary: string;
}

export async function runBundle(options: {
  workspace: string;
  inputs: Record<string, string>;
  env: Record<string, string>;
  event: unknown;
}): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), "issue-tokens-runner-"));
  const temp = join(dir, "temp");
  mkdirSync(temp);
  const outputPath = join(dir, "output");
  const summaryPath = join(dir, "summary");
  const eventPath = join(dir, "event.json");
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  writeFileSync(eventPath, JSON.stringify(options.event));

  const metadata = parseYaml(readFileSync(join(repoRoot, "action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: temp,
    ...options.env,
  };
  for (const [name, input] of Object.entries(metadata.inputs)) {
    env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] =
      options.inputs[name] ?? String(input.default ?? "").replace("${{ github.token }}", options.env.TEST_TOKEN ?? "");
  }

  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (done, fail) => {
      // Asynchronous on purpose: the API server answers from this same process.
      const child = spawn(process.execPath, [bundlePath], {
        cwd: options.workspace,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
      child.on("error", fail);
      child.on("close", (exitCode) => done({ code: exitCode, stdout: out, stderr: err }));
    },
  );
  const outputFile = readFileSync(outputPath, "utf8");
  return {
    code,
    stdout,
    stderr,
    outputFile,
    outputs: parseOutputs(outputFile),
    summary: readFileSync(summaryPath, "utf8"),
  };
}

/** GITHUB_OUTPUT's heredoc format: name<<DELIMITER, value lines, DELIMITER. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^([^\n<]+)<<(\S+)\n([\s\S]*?)\n?\2$/gm)) outputs[match[1]!] = match[3]!;
  return outputs;
}
