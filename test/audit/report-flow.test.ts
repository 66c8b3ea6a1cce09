import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/commands/report.js";
import type { OperatorReport } from "../../src/operator/view.js";
import { ledgerFilePath } from "../../src/record/ledger-file.js";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import { personOf } from "../app/helpers/fake-git-routes.js";
import type { Scenario } from "../app/helpers/scenario.js";
import { makeTestCa, type TestCa } from "../app/helpers/test-ca.js";
import { makeTokenKey, requestInTokens, tokenRun } from "../app/helpers/token-run.js";

/**
 * `onerecord-access report` on the GitHub stand-in (issue 21, part 2): every request with who it
 * waits on, the oldest wait first; a record that does not verify listed apart; the HTML page looked
 * at in headless Chromium at 1280 px where Debian's chromium is installed.
 */
const CHROMIUM = "/usr/bin/chromium";
const DAY = 86_400_000;
let ca: TestCa;
let key: SigningKey;
let s: Scenario;
let dir: string;
const n = { tokens: 0, live: 0, requested: 0, certification: 0, rejected: 0, forged: 0 };

beforeAll(async () => {
  ca = await makeTestCa(["gw-1", "gw-2"]);
  key = await makeTokenKey();
  [s, n.tokens] = await requestInTokens(ca, key, ["gw-1", "gw-2"]);
  n.live = await s.open({ devices: ["gw-1", "gw-2"] });
  await s.tickAll(n.live);
  await s.say(n.live, "tom", "/approve-certification");
  // (its certificates: the ones PR 50 merged are request n.tokens's; this one goes live on its own PR)
  n.requested = await s.open({ devices: ["pump-1"], networkPaths: ["10.0.0.300/24"] });
  n.certification = await s.open({ devices: ["pump-2"] });
  n.rejected = await s.open({ devices: ["pump-3"] });
  await s.say(n.rejected, "rita", "/reject not a customer");
  await tokenRun(s, n.tokens, key, 901, ["gw-1", "gw-2"]);
  await s.say(n.tokens, "jane", "/revoke-tokens gw-2 stolen");
  n.forged = await s.open({ devices: ["pump-4"] });
  s.gh
    .ledgerGit()
    .commitFile(
      "onerecord-access/records",
      ledgerFilePath(n.forged),
      '{"protected":"x","payload":"y","signature":"z"}\n',
      "edit",
      personOf(s.gh, { login: "mallory", type: "User" }, s.gh.now()),
    );
  s.gh
    .ledgerGit()
    .commitFile(
      "main",
      ".github/onerecord-access.yml",
      s.gh.files.get("main:.github/onerecord-access.yml")!,
      "config",
      personOf(s.gh, { login: "otto", type: "User" }, s.gh.now()),
      true,
    );
  dir = mkdtempSync(join(tmpdir(), "report-flow-"));
}, 60_000);

afterAll(() => {
  s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function report(format: string, days = 30): Promise<string> {
  let out = "";
  let err = "";
  const code = await run(["--repo", `${s.gh.owner}/${s.gh.repo}`, "--format", format, "--days", String(days)], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: { GITHUB_TOKEN: "ghs_operator" },
    fetch: globalThis.fetch,
    now: () => new Date(Date.parse(s.gh.now()) + DAY),
  });
  expect(code, err).toBe(0);
  return out;
}

describe("onerecord-access report", () => {
  it("says who each request waits on, oldest wait first, and lists a record that does not verify apart", async () => {
    const view = JSON.parse(await report("json")) as OperatorReport;
    const by = new Map(view.requests.map((r) => [r.issue, r]));
    expect(by.get(n.requested)).toMatchObject({ waitsOn: "customer", waitingFor: "a complete, valid form" });
    expect(by.get(n.certification)).toMatchObject({ waitsOn: "reviewers", stage: "certification" });
    expect(by.get(n.live)).toMatchObject({ waitsOn: "customer", stage: "certificates" });
    expect(by.get(n.rejected)).toMatchObject({ waitsOn: "nobody", stage: "rejected" });
    expect(by.get(n.tokens)).toMatchObject({ stage: "live", revoked: 1 });
    expect(by.get(n.tokens)!.devices).toEqual([
      { device: "gw-1", state: expect.stringMatching(/^token until \d{4}-\d\d-\d\d$/) },
      { device: "gw-2", state: "token revoked" },
    ]);
    // Waiting requests first, the oldest wait first; then the ones that wait on nobody.
    const waits = view.requests.map((r) => r.waitsOn);
    expect(waits.indexOf("nobody")).toBeGreaterThan(waits.lastIndexOf("customer"));
    const waiting = view.requests.filter((r) => r.waitsOn !== "nobody").map((r) => Date.parse(r.since));
    expect(waiting).toEqual([...waiting].sort((a, b) => a - b));
    expect(view.unreadable).toEqual([{ issue: n.forged, reason: expect.stringMatching(/\(not-jws\)|\(bad-header\)/) }]);
    // Within a window longer than the tokens' life, the live devices are listed as ending.
    const wide = JSON.parse(await report("json", 365)) as OperatorReport;
    expect(wide.requests.find((r) => r.issue === n.tokens)!.expiring.map((e) => e.device)).toEqual(["gw-1"]);
  });

  it("writes the Markdown for a job summary, escaping what people wrote", async () => {
    const md = await report("md");
    expect(md).toMatch(/^## OneRecord access: 5 request\(s\), 3 waiting/);
    expect(md).toContain("| Request | Stage | Waits on | For | Since |");
    expect(md).toContain("**Records that do not verify**");
  });

  it.skipIf(!existsSync(CHROMIUM))(
    existsSync(CHROMIUM)
      ? "renders in headless Chromium at 1280 px: no horizontal overflow, no raw markup, words for every state"
      : `SKIPPED: headless rendering needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`,
    async () => {
      const html = await report("html");
      expect(html).not.toMatch(/<script|<link|src=|url\(/i);
      // A copy for the test only: a script that writes the page's width into the DOM Chromium dumps.
      const probe = html.replace(
        "</body>",
        "<script>document.body.setAttribute('data-overflow', String(document.documentElement.scrollWidth > window.innerWidth))</script></body>",
      );
      const page = join(dir, "report.html");
      writeFileSync(page, probe);
      const profile = mkdtempSync(join(tmpdir(), "report-chromium-"));
      const flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        `--user-data-dir=${profile}`,
        "--window-size=1280,2000",
      ];
      try {
        const dom = await chromium([...flags, "--dump-dom", `file://${page}`]);
        expect(dom).toContain('data-overflow="false"');
        const text = dom.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");
        expect(text).not.toMatch(/\*\*|&lt;|&amp;lt;/);
        for (const phrase of ["Waits on", "the customer", "reviewers", "nobody", "token revoked"])
          expect(text).toContain(phrase);
        const shot = join(dir, "report.png");
        await chromium([...flags, `--screenshot=${shot}`, `file://${page}`]);
        expect(readFileSync(shot).subarray(1, 4).toString("latin1")).toBe("PNG");
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

function chromium(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(CHROMIUM, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const guard = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.on("error", fail);
    child.on("close", () => {
      clearTimeout(guard);
      done(out);
    });
  });
}
