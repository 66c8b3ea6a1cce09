import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/** docs/app.md is a recipe: what it names must be what Probot, app.yml and this repository have. */
const repo = resolve(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(resolve(repo, path), "utf8");
const recipe = read("docs/app.md");
// Where Probot listens when no path is configured (as `npm start` runs it).
const defaultWebhookPath = new Probot({ githubToken: "test" }).webhookPath;

describe("docs/app.md, the set-up recipe", () => {
  it("names Probot's webhook path, and app.yml's hook URL (if set) uses it", () => {
    expect(defaultWebhookPath).toBe("/api/github/webhooks");
    expect(recipe).toContain(`https://<host>${defaultWebhookPath}`);
    const manifest = parse(read("app.yml")) as { hook_attributes?: { url?: string } };
    if (manifest.hook_attributes?.url) expect(manifest.hook_attributes.url.endsWith(defaultWebhookPath)).toBe(true);
    expect(read("app.yml")).toContain(`#   url: https://onerecord-access.example.com${defaultWebhookPath}`);
  });

  it("every file it says the requests repository must hold exists here, to copy", () => {
    const table = recipe.slice(recipe.indexOf("### 1. The requests repository"), recipe.indexOf("### 2."));
    const paths = [...table.matchAll(/^\| `([^`]+)`(?: and `([^`]+)`)? \|/gm)].flatMap((m) =>
      [m[1]!, m[2]].filter((path): path is string => path !== undefined),
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        ".github/ISSUE_TEMPLATE/production-access.yml",
        ".github/workflows/validate-certificates.yml",
        ".github/workflows/issue-tokens.yml",
        "action.yml",
        // The whole folder: the entry loads its chunks from action/dist/chunks/.
        "action/dist",
      ]),
    );
    // The configuration is the one file the operator writes (step 5).
    for (const path of paths.filter((p) => p !== ".github/onerecord-access.yml"))
      expect(existsSync(resolve(repo, path)), path).toBe(true);
  });

  it("tells WEBHOOK_PROXY_URL, which .env.example carries, and recommends one repository per customer", () => {
    expect(recipe).toContain("WEBHOOK_PROXY_URL=https://smee.io/");
    expect(read(".env.example")).toMatch(/^# WEBHOOK_PROXY_URL=/m);
    expect(recipe).toMatch(
      /\*\*One private repository per customer, not one shared repository\.\*\* Recommended: one per\s+customer/,
    );
  });
});
