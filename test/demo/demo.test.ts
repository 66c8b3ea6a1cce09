import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { titled } from "../helpers/environment.js";
import { noPebble } from "../helpers/pebble.js";

/**
 * `npm run demo`, run as a user runs it (a child process), into a temporary folder: its one line
 * per step, and the page it writes. Where Debian's chromium is installed, the page is also
 * rendered headless and the key texts are looked for in the rendered DOM.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = "/usr/bin/chromium";
/** A hang guard, not a timing: the demo takes seconds. */
const GUARD_MS = 120_000;

function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const guard = setTimeout(() => child.kill("SIGKILL"), GUARD_MS);
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(guard);
      done({ code, stdout, stderr });
    });
  });
}

let out: string;
let demo: { code: number | null; stdout: string; stderr: string };
let html: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "onerecord-demo-test-"));
  demo = await run(process.execPath, ["--import", "tsx", "demo/index.ts", "--out", out], root);
  const path = /^The issue thread as GitHub would show it: (.+)$/m.exec(demo.stdout)?.[1];
  html = path && existsSync(path) ? readFileSync(path, "utf8") : "";
}, GUARD_MS + 10_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The visible text of the page's markup, tags dropped (enough to find phrases). */
const text = (markup: string) => markup.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");

describe("npm run demo", () => {
  it("drives one request from intake to live, one line per step, and prints the page's path", () => {
    expect(demo.code, demo.stderr).toBe(0);
    const lines = demo.stdout.trim().split("\n");
    expect(lines.slice(0, -1).every((l) => l.startsWith("• "))).toBe(true);
    expect(demo.stdout).toMatch(/opens request #1 with a mistyped network path: stage requested/);
    expect(demo.stdout).toMatch(/jane fixes the form: stage certification/);
    expect(demo.stdout).toMatch(/mallory \(not a reviewer\) tries \/approve-certification: the app answers "@mallory/);
    expect(demo.stdout).toMatch(/approves certification: stage certificates/);
    expect(demo.stdout).toMatch(/self-signed gw-2 certificate: the PR check fails\n/);
    expect(demo.stdout).toMatch(/issued by the customer CA: the PR check passes\n/);
    expect(demo.stdout).toMatch(/merges PR #50: stage tokens/);
    expect(demo.stdout).toMatch(/token workflow \(run 4242\): 2 token\(s\) issued, exit 0/);
    expect(demo.stdout).toMatch(/counts its issuance comment: stage live; labels access: live\n/);
    expect(demo.stdout).toMatch(/gw-1 decrypts its token and calls the API over mutual TLS: HTTP 200 .*"sub":"gw-1"/);
    expect(demo.stdout).toMatch(/with gw-2's certificate: HTTP 401 .*thumbprint-mismatch/);
    // Life after live: a renewal reminder, a renewal that dispatches the token workflow (the new
    // token goes live), a revocation.
    expect(demo.stdout).toMatch(
      /61 days later the daily sweep reminds jane \(1 reminder\): stage live; labels access: live, needs: renewal/,
    );
    expect(demo.stdout).toMatch(
      /renewed certificate \(PR #51\): stage live;.*needs: tokens; the app dispatched the token workflow \(1 dispatch\)/,
    );
    expect(demo.stdout).toMatch(/token workflow \(run 4243\): 1 token\(s\) issued, exit 0/);
    expect(demo.stdout).toMatch(/jane revokes gw-2's token herself: 1 token revoked; stage live/);
    expect(lines.at(-1)).toMatch(/^The issue thread as GitHub would show it: .+request-1\.html$/);
  });

  it.skipIf(noPebble !== null)(
    titled(
      "shows an option-2 device: ordered from a real ACME server, committed by the app's pull request, its key decrypted by the customer, live",
      noPebble,
    ),
    () => {
      expect(demo.stdout).toMatch(
        /jane opens request #2 choosing option 2 with her delivery key; certified: stage certificates/,
      );
      expect(demo.stdout).toMatch(
        /tom runs the obtain workflow: 1 certificate\(s\) obtained from the CA over ACME, exit 0/,
      );
      expect(demo.stdout).toMatch(/opens pull request #\d+ committing the certificate/);
      expect(demo.stdout).toMatch(/rita merges it: stage tokens/);
      expect(demo.stdout).toMatch(/jane decrypts pump-1's private key .*: it is the key of the merged certificate/);
      expect(demo.stdout).toMatch(/\/keys-received: the comment holding the encrypted key is removed/);
      expect(demo.stdout).toMatch(/token workflow \(run 4244\): 1 token\(s\) issued, exit 0\n.*stage live/);
      const path = /^• The option-2 request's thread: (.+)$/m.exec(demo.stdout)?.[1];
      const page = text(path && existsSync(path) ? readFileSync(path, "utf8") : "");
      expect(page).toContain("Production access request · Live");
      expect(page).toMatch(/obtained by OneRecord \(option 2\)/i);
    },
  );

  it.skipIf(noPebble === null)("says that option 2 is left out, and why, where Pebble is not installed", () => {
    expect(demo.stdout).toMatch(/option 2 \(certificates OneRecord obtains for the customer\) skipped: /);
  });

  it("writes the auditor's report (verified) and the operator's view next to the request page", () => {
    const auditPath = /^• The auditor's report \((audit verified: .*)\): (\S+)$/m.exec(demo.stdout);
    expect(auditPath?.[1]).toMatch(/^audit verified: \d+ request\(s\)/);
    const audit = text(readFileSync(auditPath![2]!, "utf8"));
    expect(audit).toContain("VERIFIED: every version of every request, and every rule");
    expect(audit).toMatch(/pull request #2, merged by rita/);
    const operatorPath = /^• The operator's view of every request: (.+)$/m.exec(demo.stdout)?.[1];
    const operator = text(readFileSync(operatorPath!, "utf8"));
    expect(operator).toMatch(/OneRecord access: \d+ request\(s\)/);
    expect(operator).toContain("gw-2: token revoked");
    // The JSON export, with the keys to trust, re-verified offline as the printed line runs it.
    expect(demo.stdout).toMatch(
      /^• The JSON export re-verified offline \(export verified\): node cli\/dist\/onerecord-access\.js audit verify \S+audit\.json --jwks \S+record-jwks\.json$/m,
    );
  });

  it("prints no key and no token", () => {
    for (const stream of [demo.stdout, demo.stderr]) {
      expect(stream).not.toContain("PRIVATE KEY");
      // A JOSE header (JWS or JWE) base64url-encoded starts with "eyJ".
      expect(stream).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    }
  });

  it("writes the thread: the stage Live, the refused outsider, label chips, the tokens and both job summaries", () => {
    const page = text(html);
    expect(page).toContain("Production access request · Live");
    // After the renewal of gw-1 and jane's revocation of gw-2's token.
    expect(page).toContain("1 of 2 device(s) hold a live token");
    expect(page).toContain("1 token(s) revoked");
    expect(page).toMatch(/@jane .*renewal due/s);
    // Going live names the maintainer who dispatched the token run, not the workflow's bot.
    expect(page).toMatch(/tom stage tokens → live/);
    expect(page).toContain("@mallory /approve-certification was not run: only reviewers can run");
    expect(html).toMatch(/<span class="label" style="background:#[0-9a-f]{6};color:#[0-9a-f]{6}">access: live<\/span>/);
    expect(page).toContain("Device tokens for request #1");
    expect(html).toContain("github-actions[bot]");
    expect(page).toMatch(/❌ failed: PR #50, first push: validate certificates .*❌ 1 valid, 1 invalid/);
    expect(page).toMatch(/✅ passed: PR #50, fixed: validate certificates .*✅ 2 valid/);
    // GitHub's stylesheet, inlined; the record's hidden markers are not shown.
    expect(html).toContain(".markdown-body");
    expect(html).not.toContain("<!--");
    expect(html).not.toMatch(/<script/i);
  });

  it("runs on one clock: the tokens are issued after the approval, not before it", () => {
    const approved =
      /<b>tom<\/b> commented <time>([^<]+)<\/time><\/div><div class="markdown-body comment-body"><p>\/approve-certification/.exec(
        html,
      )?.[1];
    const issued = /Issued by <a [^>]*>workflow run 4242<\/a> at ([0-9TZ:-]+)/.exec(html)?.[1];
    expect(approved).toBeDefined();
    expect(issued).toBeDefined();
    expect(Date.parse(issued!)).toBeGreaterThanOrEqual(Date.parse(approved!));
    // The merge that moved the request to tokens came before the run, on the same clock.
    const dispatched = [
      ...text(html).matchAll(/(\d{4}-\d\d-\d\d \d\d:\d\d) UTC rita certificate PR #\u200b?50 merged/g),
    ];
    expect(dispatched).toHaveLength(1);
    expect(Date.parse(`${dispatched[0]![1]!.replace(" ", "T")}:00Z`)).toBeLessThanOrEqual(Date.parse(issued!));
  });

  it("shows one decrypt command, the runnable one, once per issuance comment (two token runs: the first and the renewal)", () => {
    const commands =
      text(html).match(/(?:node cli\/dist\/onerecord-access\.js |onerecord-access )?decrypt-token --key \S+ \S+/g) ??
      [];
    expect(commands).toEqual([
      "node cli/dist/onerecord-access.js decrypt-token --key DEVICE.key JWE",
      "node cli/dist/onerecord-access.js decrypt-token --key DEVICE.key JWE",
    ]);
  });

  it("calls a form with one bad CIDR invalid, and keeps what was missing in the trail", () => {
    const page = text(html);
    expect(page).not.toContain("form incomplete");
    expect(page).toMatch(
      /request submitted \(form invalid: Network paths \(egress CIDRs\): line 1: "10\.0\.0\.300\/24" is not an IPv4 or IPv6 network/,
    );
    expect(page).toContain("form edited (now valid)");
  });

  it("reads without emoji fonts: no status is an emoji alone", () => {
    const emoji = /[\p{Extended_Pictographic}\u{FE0F}]/gu;
    // No text of its own (a table cell, a heading) is only emoji.
    expect(
      html.match(
        />[\s\p{Extended_Pictographic}\u{FE0F}]*\p{Extended_Pictographic}[\s\p{Extended_Pictographic}\u{FE0F}]*</gu,
      ),
    ).toBeNull();
    const plain = text(html.replace(emoji, "")).replace(/\s+/g, " ");
    expect(plain).toContain(
      "Requested (done) → Certification (done) → Certificates (done) → Tokens (done) → Live (now)",
    );
    expect(plain).toMatch(/Stage testing confirmed .*? done rita/);
    expect(plain).toContain("failed: PR #50, first push: validate certificates");
    expect(plain).toContain("passed: PR #50, fixed: validate certificates");
    expect(plain).toContain("invalid: certificates/1/gw-2.pem");
  });

  it.skipIf(!existsSync(CHROMIUM))(
    existsSync(CHROMIUM)
      ? `renders in headless Chromium (${CHROMIUM}) with the key texts in the rendered page`
      : `SKIPPED: headless rendering needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`,
    async () => {
      const profile = mkdtempSync(join(tmpdir(), "onerecord-demo-chromium-"));
      const shot = join(out, "page.png");
      const page = join(out, "request-1.html");
      const flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        `--user-data-dir=${profile}`,
        "--window-size=1100,3000",
      ];
      try {
        const dom = await run(CHROMIUM, [...flags, "--dump-dom", `file://${page}`], out);
        expect(dom.code).toBe(0);
        const rendered = text(dom.stdout);
        for (const phrase of [
          "Production access request · Live",
          "was not run: only reviewers can run",
          "access: live",
          "Device tokens for request #1",
          "OneRecord certificate check",
        ])
          expect(rendered).toContain(phrase);
        const png = await run(CHROMIUM, [...flags, `--screenshot=${shot}`, `file://${page}`], out);
        expect(png.code).toBe(0);
        const image = readFileSync(shot);
        expect(image.subarray(1, 4).toString("latin1")).toBe("PNG");
        // IHDR: width and height as Chromium drew them.
        expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([1100, 3000]);
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
    GUARD_MS,
  );
});
