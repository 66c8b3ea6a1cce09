import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import type { AuditExport } from "../../src/audit/export-json.js";
import { run } from "../../src/cli/commands/audit.js";
import { CONFIG_PATH } from "../../src/config/parse.js";
import { textBlobSha } from "../../src/record/git-blob.js";
import { ledgerFilePath, ledgerFileText } from "../../src/record/ledger-file.js";
import { loadRecordSigningKey } from "../../src/record/record-signing-key.js";
import type { AccessRecord } from "../../src/record/schema.js";
import { signRecord } from "../../src/record/signature.js";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import { personOf } from "../app/helpers/fake-git-routes.js";
import { otherRecordSecret, testRecordKey } from "../app/helpers/record-key.js";
import type { Scenario } from "../app/helpers/scenario.js";
import { makeTestCa, mergePr, type TestCa } from "../app/helpers/test-ca.js";
import { makeTokenKey, requestInTokens, tokenRun } from "../app/helpers/token-run.js";

/**
 * `onerecord-access audit` on the GitHub stand-in (issue 21; docs/audit.md): a ledger with
 * requests at every stage verifies and exports; five kinds of tampering with the ledger each fail
 * with their rule; five kinds of editing the export each fail `audit verify` with the place.
 */
const LEDGER = "onerecord-access/records";
let ca: TestCa;
let key: SigningKey;
let s: Scenario;
let dir: string;
let live: number;
let requested: number;
let rejected: number;
let ended: number;

beforeAll(async () => {
  ca = await makeTestCa(["gw-1", "gw-2"]);
  key = await makeTokenKey();
  [s, live] = await requestInTokens(ca, key, ["gw-1", "gw-2"]);
  await tokenRun(s, live, key, 901, ["gw-1", "gw-2"]);
  await s.say(live, "jane", "/revoke-tokens gw-2 the gateway was stolen");
  requested = await s.open({ devices: ["pump-1"] });
  rejected = await s.open({ devices: ["pump-2"] });
  await s.say(rejected, "rita", "/reject not a customer");
  // Live, then access ended: every stage a request passes through.
  ended = await s.open({ devices: ["gw-1"] });
  await s.tickAll(ended);
  await s.say(ended, "tom", "/approve-certification");
  await mergePr(s, 51, { [`certificates/${ended}/gw-1.pem`]: ca.leaves.get("gw-1")! }, "51".padEnd(40, "b"));
  await tokenRun(s, ended, key, 902, ["gw-1"]);
  await s.say(ended, "rita", "/revoke-access the contract ended");
  // The configuration as the default branch's history has it: one commit, from pull request #3,
  // before the first request (the app signs nothing before its key is published).
  const text = s.gh.files.get(`main:${CONFIG_PATH}`)!.toString("utf8");
  const configured = { ...person("otto"), date: "2026-01-05T10:00:00Z" };
  const commit = s.gh
    .ledgerGit()
    .commitFile("main", CONFIG_PATH, text, "Configure OneRecord access (#3)", configured, true);
  s.gh.branch.pulls.set(commit.sha, [
    { number: 3, author: "otto", mergedAt: s.gh.now(), mergeCommit: commit.sha, base: "main", mergedBy: "rita" },
  ]);
  dir = mkdtempSync(join(tmpdir(), "audit-flow-"));
}, 60_000);

afterAll(() => {
  s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function person(login: string) {
  return personOf(s.gh, login.endsWith("[bot]") ? s.gh.bot : { login, type: "User" }, s.gh.now());
}

async function audit(...args: string[]): Promise<{ code: number; stderr: string; export: AuditExport | null }> {
  const out = join(dir, `audit-${Math.random().toString(36).slice(2)}.json`);
  let stderr = "";
  const code = await run(["--repo", `${s.gh.owner}/${s.gh.repo}`, "--out", out, ...args], {
    stdout: () => undefined,
    stderr: (t) => (stderr += t),
    env: { GITHUB_TOKEN: "ghs_auditor" },
    fetch: globalThis.fetch,
  });
  let exported: AuditExport | null = null;
  try {
    exported = JSON.parse(readFileSync(out, "utf8")) as AuditExport;
  } catch {
    exported = null;
  }
  return { code, stderr, export: exported };
}

async function verify(exported: unknown): Promise<{ code: number; stderr: string }> {
  const path = join(dir, `edited-${Math.random().toString(36).slice(2)}.json`);
  const jwksPath = join(dir, "record-jwks.json");
  writeFileSync(path, JSON.stringify(exported));
  writeFileSync(jwksPath, JSON.stringify((await testRecordKey()).jwks));
  let stderr = "";
  const code = await run(["verify", path, "--jwks", jwksPath], {
    stdout: () => undefined,
    stderr: (t) => (stderr += t),
  });
  return { code, stderr };
}

/** The ledger file's head text and record. */
function head(issue: number): { text: string; record: AccessRecord } {
  const text = s.gh.ledgerGit().fileAt(LEDGER, ledgerFilePath(issue))!.content.toString("utf8");
  return { text, record: JSON.parse(Buffer.from(JSON.parse(text).payload, "base64url").toString("utf8")) };
}

/** Runs `change` on the ledger, audits, then puts the ledger branch back as it was. */
async function tampered(change: () => Promise<void>): Promise<Awaited<ReturnType<typeof audit>>> {
  const git = s.gh.ledgerGit();
  const before = git.branches.get(LEDGER)!;
  try {
    await change();
    return await audit();
  } finally {
    git.branches.set(LEDGER, before);
  }
}

/** A new version, signed with the app's record key and committed as the app (an insider with the key, or a bug). */
async function commitSigned(issue: number, edit: (r: AccessRecord) => AccessRecord): Promise<void> {
  const { text, record } = head(issue);
  const next = edit({ ...record, previous: textBlobSha(text) });
  const file = ledgerFileText(await signRecord(next, await testRecordKey()));
  s.gh.ledgerGit().commitFile(LEDGER, ledgerFilePath(issue), file, "onerecord-access", person(s.gh.bot.login), true);
}

describe("onerecord-access audit", () => {
  let clean: AuditExport;

  it("verifies a ledger with requests at every stage, naming the key it trusted and the change that published it", async () => {
    const result = await audit();
    expect(result.stderr).toMatch(/audit verified: 4 request\(s\)/);
    expect(result.code).toBe(0);
    clean = result.export!;
    expect(clean.requests.map((r) => [r.issue, r.verified])).toEqual([
      [live, true],
      [requested, true],
      [rejected, true],
      [ended, true],
    ]);
    expect(clean.rows.filter((r) => r.request === ended).map((r) => r.action)).toEqual(
      expect.arrayContaining(["token revoked (/revoke-access)", "stage live → ended"]),
    );
    expect(clean.keys).toEqual([
      expect.objectContaining({
        kid: (await testRecordKey()).kid,
        entered: expect.objectContaining({ pull: expect.objectContaining({ number: 3, mergedBy: "rita" }) }),
        removed: null,
      }),
    ]);
    const actions = clean.rows.filter((r) => r.request === live).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "request submitted",
        "/approve-certification",
        "certificate merged",
        "token issued",
        "token revoked (/revoke-tokens)",
        "stage tokens → live",
      ]),
    );
    const approval = clean.rows.find((r) => r.request === live && r.action === "/approve-certification")!;
    expect(approval).toMatchObject({
      actor: "tom",
      outcome: "accepted",
      formVersion: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const token = clean.rows.find((r) => r.action === "token issued" && r.device === "gw-1")!;
    expect(token.x5tS256).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token.jti).not.toBe("");
  });

  it("writes the rows as CSV and as a self-contained HTML report", async () => {
    const csv = join(dir, "rows.csv");
    const html = join(dir, "report.html");
    for (const [format, out] of [
      ["csv", csv],
      ["html", html],
    ] as const) {
      const code = await run(["--repo", `${s.gh.owner}/${s.gh.repo}`, "--format", format, "--out", out], {
        stdout: () => undefined,
        stderr: () => undefined,
        env: { GITHUB_TOKEN: "ghs_auditor" },
        fetch: globalThis.fetch,
      });
      expect(code).toBe(0);
    }
    const lines = readFileSync(csv, "utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      '"request","time","actor","actorId","action","cause","formVersion","device","x5tS256","jti","outcome"',
    );
    // Every field quoted: a spreadsheet set to ";" splits no cell; a formula is defused.
    expect(lines.slice(1).every((l) => /^"\d+","/.test(l))).toBe(true);
    expect(lines.length).toBe(clean.rows.length + 1);
    const page = readFileSync(html, "utf8");
    expect(page).toContain("VERIFIED: every version of every request, and every rule");
    expect(page).not.toMatch(/<script|<link|src=|url\(/i);
  });

  it("re-verifies its own export offline", async () => {
    expect(await verify(clean)).toMatchObject({ code: 0, stderr: expect.stringMatching(/export verified/) });
  });

  it("fails on five kinds of tampering, each with its rule", async () => {
    const rules = (r: Awaited<ReturnType<typeof audit>>) => [...new Set(r.export!.failures.map((f) => f.rule))];
    // 1. A forged version: the payload edited under the old signature, pushed by mallory.
    const forged = await tampered(async () => {
      const { text } = head(live);
      const file = JSON.parse(text) as { payload: string };
      const record = JSON.parse(Buffer.from(file.payload, "base64url").toString("utf8")) as AccessRecord;
      file.payload = Buffer.from(JSON.stringify({ ...record, stage: "live", revocations: [] })).toString("base64url");
      s.gh.ledgerGit().commitFile(LEDGER, ledgerFilePath(live), JSON.stringify(file), "fix", person("mallory"));
    });
    expect(forged.code).toBe(1);
    expect(rules(forged)).toEqual(expect.arrayContaining(["signature", "provenance"]));
    // 2. A version signed by a key the configuration never published.
    const unknown = await tampered(async () => {
      const { text, record } = head(requested);
      const other = await loadRecordSigningKey(otherRecordSecret("P-256"));
      const file = ledgerFileText(await signRecord({ ...record, previous: textBlobSha(text) }, other));
      s.gh.ledgerGit().commitFile(LEDGER, ledgerFilePath(requested), file, "x", person(s.gh.bot.login), true);
    });
    expect(unknown.export!.failures).toEqual([
      expect.objectContaining({ request: requested, rule: "signature", reason: expect.stringMatching(/unknown-key/) }),
    ]);
    // 3. A version dropped (history rewritten without it).
    const dropped = await tampered(async () => dropVersion(live, 1));
    expect(dropped.export!.failures).toEqual([expect.objectContaining({ request: live, rule: "chain" })]);
    // 4. An approval by the requester, injected in a version signed with the record key.
    const injected = await tampered(() =>
      commitSigned(requested, (r) => ({
        ...r,
        commands: [
          ...r.commands,
          {
            comment: 99_999,
            index: 0,
            by: "jane",
            byId: r.requesterId,
            at: s.gh.now(),
            name: "approve-certification",
            args: "",
            reviewer: true,
            requestSha256: r.request?.sha256 ?? "x",
            outcome: "accepted",
          },
        ],
      })),
    );
    expect(rules(injected)).toEqual(["approval-by-requester"]);
    // 5. A token issued before the approval.
    const early = await tampered(() =>
      commitSigned(live, (r) => ({
        ...r,
        issuance: r.issuance.map((t, i) =>
          i === 0 ? { ...t, at: "2020-01-01T00:00:00Z", issuedAt: "2020-01-01T00:00:00Z" } : t,
        ),
      })),
    );
    expect(rules(early)).toEqual(expect.arrayContaining(["token-before-approval"]));
    // And the ledger as it was verifies again.
    expect((await audit()).code).toBe(0);
  });

  it("fails on what hides a request or weakens the ledger: a deleted record, no protection, a key pushed unreviewed, a moved ledger", async () => {
    const rules = (r: Awaited<ReturnType<typeof audit>>) => r.export!.failures.map((f) => [f.request, f.rule]);
    // The record deleted at the head (by someone who got past the ruleset): the request is still found, by its issue.
    const deleted = await tampered(async () => {
      s.gh.ledgerGit().commitFile(LEDGER, ledgerFilePath(requested), null, "gone", person("mallory"));
    });
    expect(rules(deleted)).toEqual(expect.arrayContaining([[requested, "deleted"]]));
    // A request whose record never existed (its file and history gone with a rewrite) is named too.
    const hidden = s.gh.openIssue((await import("../app/helpers/form.js")).formBody({ devices: ["pump-9"] }), "jane");
    const unrecorded = await audit();
    expect(rules(unrecorded)).toEqual(expect.arrayContaining([[hidden.number, "missing-record"]]));
    s.gh.issues.delete(hidden.number);
    // The ledger branch without its ruleset.
    const saved = s.gh.branchRules.get(LEDGER);
    s.gh.branchRules.set(LEDGER, []);
    const unprotected = await audit();
    s.gh.branchRules.set(LEDGER, saved ?? []);
    expect(rules(unprotected)).toEqual(expect.arrayContaining([[null, "ledger-unprotected"]]));
    // A configuration commit pushed straight to the default branch, moving the ledger and adding no review.
    const git = s.gh.ledgerGit();
    const main = git.branches.get("main")!;
    const text = s.gh.files.get(`main:${CONFIG_PATH}`)!.toString("utf8");
    const movedConfig = parseDocument(text);
    movedConfig.setIn(["records", "branch"], "elsewhere");
    const pushedKey = (await loadRecordSigningKey(otherRecordSecret("P-256"))).jwks.keys[0];
    (movedConfig.getIn(["records", "jwks", "keys"]) as { add(v: unknown): void }).add(
      movedConfig.createNode(pushedKey),
    );
    git.commitFile("main", CONFIG_PATH, movedConfig.toString(), "x", person("mallory"));
    const moved = await audit();
    git.branches.set("main", main);
    expect(rules(moved)).toEqual(
      expect.arrayContaining([
        [null, "ledger-moved"],
        [null, "key-without-review"],
        // Every request now has no record where the configuration says the ledger is.
        [live, "missing-record"],
      ]),
    );
    expect((await audit()).code).toBe(0);
  });

  it("fails `audit verify` on five kinds of editing of the export, naming the place", async () => {
    const edited = (edit: (e: AuditExport) => void): AuditExport => {
      const copy = structuredClone(clean);
      edit(copy);
      return copy;
    };
    const liveRows = clean.rows.map((r, i) => [r, i] as const).filter(([r]) => r.request === live);
    const cases: Array<[string, AuditExport, RegExp]> = [
      ["a row removed", edited((e) => e.rows.splice(liveRows[2]![1], 1)), new RegExp(`request #${live}, row 3: .*`)],
      [
        "a time changed",
        edited((e) => (e.rows[liveRows[1]![1]]!.time = "2001-01-01T00:00:00Z")),
        new RegExp(`request #${live}, row 2: time is "2001-01-01T00:00:00Z" in the export`),
      ],
      [
        "a version dropped",
        edited((e) => e.requests.find((r) => r.issue === live)!.versions.splice(1, 1)),
        new RegExp(`request #${live}, version [0-9a-f]{12}: chain: .*dropped`),
      ],
      [
        "a version's text altered",
        edited((e) => {
          const v = e.requests.find((r) => r.issue === requested)!.versions[0]!;
          // Another first character than the one there (always "A" left it unchanged 1 time in 64).
          v.text = v.text!.replace(/"signature": "(.)/, (_, c: string) => `"signature": "${c === "A" ? "B" : "A"}`);
        }),
        new RegExp(`request #${requested}, version [0-9a-f]{12}: signature: `),
      ],
      [
        "who made a commit blanked",
        edited((e) => (e.requests.find((r) => r.issue === rejected)!.versions[0]!.byApp = null)),
        new RegExp(`request #${rejected}, version [0-9a-f]{12}: provenance: who made the commit is not known`),
      ],
      [
        "an actor changed",
        edited((e) => (e.rows[liveRows[0]![1]]!.actor = "mallory")),
        new RegExp(`request #${live}, row 1: actor is "mallory" in the export`),
      ],
    ];
    for (const [what, exported, place] of cases) {
      const result = await verify(exported);
      expect(result.code, what).toBe(1);
      expect(result.stderr, what).toMatch(place);
    }
  });
});

/** Rewrites the ledger branch without the `index`-th version (oldest first) of a request's file: a force push. */
function dropVersion(issue: number, index: number): void {
  const git = s.gh.ledgerGit();
  const path = ledgerFilePath(issue);
  const touching = git.log(LEDGER, path).reverse();
  const drop = touching[index]!.sha;
  const all = git.log(LEDGER).reverse();
  const rewritten = `${LEDGER}-rewritten`;
  git.branches.delete(rewritten);
  for (const c of all) {
    if (c.sha === drop) continue;
    const parent = c.parents[0] ? git.commits.get(c.parents[0]) : undefined;
    const files = git.trees.get(c.tree)!;
    const before = parent ? git.trees.get(parent.tree)! : new Map<string, string>();
    for (const [p, blob] of files)
      if (before.get(p) !== blob)
        git.commitFile(rewritten, p, git.blobs.get(blob)!, c.message, c.author, c.signedByGitHub);
  }
  git.branches.set(LEDGER, git.branches.get(rewritten)!);
  git.branches.delete(rewritten);
}
