import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * One way to run the CLI, everywhere: the committed bundle, `node cli/dist/onerecord-access.js …`.
 * The package name is not published on npm, so `npx` of it would fetch whatever package claims the
 * name from the registry and run it with the customer's private keys at hand.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const ONE_WAY = "node cli/dist/onerecord-access.js";
const COMMANDS = [
  "validate",
  "roots",
  "decrypt-token",
  "verify-token",
  "jwks",
  "record-jwks",
  "delivery-key",
  "decrypt-key",
  "audit",
  "report",
];
// Spelled apart so this file does not name what it forbids.
const NPX_OF_THE_NAME = new RegExp(["npx", "(?:\\s+-\\S+)*\\s+", "onerecord-access\\b"].join(""), "i");
const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", "coverage", "demo-output"]);
const TEXT = /\.(?:md|ts|js|mjs|cjs|json|ya?ml|txt|sh|html)$|^\.env\.example$|^run$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIPPED_DIRS.has(name) ? [] : files(path);
    return TEXT.test(name) && name !== "package-lock.json" ? [path] : [];
  });
}

/** Lines of `text` that run a CLI command some other way than ONE_WAY (headings name commands, they do not run them). */
function otherInvocations(text: string): string[] {
  // A command with an argument after it, in the same code span (`onerecord-access validate` alone names it).
  const invocation = new RegExp(
    `(^|[^\\w/.-])onerecord-access(?:\\.js)? (?:(?:${COMMANDS.join("|")}) +[-\\w<[]|--version|--help)`,
  );
  return text
    .split("\n")
    .filter((line) => !/^\s*#{1,6} /.test(line))
    .filter((line) => invocation.test(line.replaceAll(ONE_WAY, "")));
}

describe("how the CLI is run", () => {
  it("no file of the repository (docs, sources, scripts, workflows, tests) runs it through npx", () => {
    const offenders = files(root)
      .filter((path) => NPX_OF_THE_NAME.test(readFileSync(path, "utf8")))
      .map((path) => relative(root, path));
    expect(offenders).toEqual([]);
  });

  it("README.md and docs/*.md show one command line for it, the committed bundle", () => {
    const docs = ["README.md", ...readdirSync(join(root, "docs")).map((name) => `docs/${name}`)].filter((p) =>
      p.endsWith(".md"),
    );
    const offenders = docs.flatMap((path) =>
      otherInvocations(readFileSync(join(root, path), "utf8")).map((line) => `${path}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the texts the app, the Action and the CLI show people use the same command line", async () => {
    const { RUN_CLI } = await import("../../src/cli/program.js");
    expect(RUN_CLI).toBe(ONE_WAY);
    const texts = [
      "src/app/render/status.ts",
      "src/app/ledger/setup.ts",
      "action/issue-tokens/5-deliver.ts",
      "src/cli/dispatch.ts",
      "src/cli/validate-usage.ts",
      ...readdirSync(join(root, "src/cli/commands")).map((name) => `src/cli/commands/${name}`),
    ];
    const offenders = texts.flatMap((path) =>
      otherInvocations(readFileSync(join(root, path), "utf8"))
        .filter((line) => !/^\s*(?:\/\/|\*|\/\*\*)/.test(line))
        .map((line) => `${path}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the CLI's own help names the same command line, for itself and for every command", async () => {
    const { main } = await import("../../src/cli/dispatch.js");
    const help = async (argv: string[]) => {
      let out = "";
      await main(argv, { stdout: (t) => (out += t), stderr: (t) => (out += t) });
      return out;
    };
    expect(await help(["--help"])).toMatch(new RegExp(`^usage: ${ONE_WAY} <command>`));
    for (const command of COMMANDS) {
      const text = await help([command, "--help"]);
      expect(text).toMatch(new RegExp(`^usage: ${ONE_WAY} ${command} `));
      expect(otherInvocations(text), command).toEqual([]);
    }
  });
});
