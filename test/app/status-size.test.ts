import { createHash, randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/parse.js";
import { renderStatusComment } from "../../src/app/render/status.js";
import { excerptArgs, MAX_KEPT_ARGS, pruneCommands } from "../../src/app/state/bounds.js";
import { unseenLines } from "../../src/app/state/observed-lines.js";
import { COMMENT_LIMIT, readRecord, writeRecord } from "../../src/record/codec.js";
import type { AccessRecord, CertificateRecord, CommandRecord } from "../../src/record/schema.js";
import { COMMENT_BODY_LIMIT } from "./helpers/fake-github.js";
import { manyDevices } from "./helpers/many-devices.js";
import { Scenario } from "./helpers/scenario.js";

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

/**
 * Enough devices that four issuance rounds hold more older tokens than are kept whole
 * (MAX_OLDER_TOKENS), so the stored record has stand-ins; 500 run in `npm run test:corpora`.
 */
const SOME_DEVICES = 60;

const SPAM_COMMENTS = 8;
const spam = (): string => Array.from({ length: 20 }, () => `/hold ${randomBytes(360).toString("base64")}`).join("\n");

describe("status comment size: what commenters post", () => {
  it("stays under GitHub's limit however much a non-reviewer spams commands, and the request still advances", async () => {
    s = await Scenario.start();
    const n = await s.open();
    // Eight comments of twenty long lines: more text than one comment can hold (COMMENT_LIMIT),
    // and four times the command lines a record keeps.
    for (let i = 0; i < SPAM_COMMENTS; i++) {
      await s.say(n, "mallory", spam());
      expect(s.gh.statusComment(n)!.body.length).toBeLessThan(COMMENT_LIMIT);
    }
    // Every spam comment was answered once, quoting only an excerpt.
    expect(s.replies(n)).toHaveLength(SPAM_COMMENTS);
    expect(s.replies(n).every((r) => r.length < 20 * 400)).toBe(true);
    const record = s.record(n);
    expect(record.commands.length).toBeLessThanOrEqual(40);
    expect(record.commands.every((c) => c.args.length <= MAX_KEPT_ARGS)).toBe(true);
    const pruned = record.ignored.filter((i) => i.reason === "pruned");
    expect(pruned.reduce((sum, i) => sum + (i.lines ?? 0), 0) + record.commands.length).toBe(SPAM_COMMENTS * 20);
    expect(SPAM_COMMENTS * spam().length).toBeGreaterThan(COMMENT_LIMIT);

    // A reviewer's command still runs; the dropped comments are not read (or answered) again.
    await s.say(n, "rita", "/check stage-testing");
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing"]);
    expect(s.replies(n)).toHaveLength(SPAM_COMMENTS);
    await s.say(n, "rita", "/hold waiting for legal");
    expect(s.record(n).hold).toMatchObject({ by: "rita", reason: "waiting for legal" });
    expect(s.gh.statusComment(n)!.body.length).toBeLessThan(COMMENT_LIMIT);
  });

  it("answers 422 to comment bodies GitHub would refuse", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const tooLong = "x".repeat(COMMENT_BODY_LIMIT);
    const status = s.gh.statusComment(n)!;
    const patch = await fetch(`https://api.github.com/repos/acme/access-requests/issues/comments/${status.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ body: tooLong }),
    });
    expect(patch.status).toBe(422);
    const post = await fetch(`https://api.github.com/repos/acme/access-requests/issues/${n}/comments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ body: tooLong }),
    });
    expect(post.status).toBe(422);
    expect(s.gh.statusComment(n)!.body).toBe(status.body);
  });
});

describe("pruning command lines", () => {
  it("cuts arguments so that authorize decides the same", () => {
    const long = `${"a".repeat(77)} ${"b".repeat(200)}`;
    expect(excerptArgs("short")).toBe("short");
    expect(excerptArgs(long)).toBe(`${"a".repeat(77)} …`);
    expect(excerptArgs(`dev-1 ${"r".repeat(300)}`)).toMatch(/^dev-1 r+…$/);
    for (const args of [long, `dev-1 ${"r".repeat(300)}`, "z".repeat(400)]) {
      expect(excerptArgs(args).length).toBeLessThanOrEqual(MAX_KEPT_ARGS);
      expect(excerptArgs(excerptArgs(args))).toBe(excerptArgs(args));
    }
  });

  it("folds old pruned comments into a watermark that unseenLines honours", () => {
    const line = (comment: number): CommandRecord => ({
      comment,
      index: 0,
      by: "mallory",
      at: "2026-01-01T00:00:00Z",
      name: "hold",
      args: "x",
      reviewer: false,
      outcome: "refused",
      refusal: "not-reviewer",
    });
    const commands = Array.from({ length: 300 }, (_, i) => line(1000 + i));
    const { commands: kept, ignored } = pruneCommands(commands, [{ comment: 5, by: "eve", reason: "edited" }], {
      login: "jane",
    });
    expect(kept).toHaveLength(40);
    expect(ignored.length).toBeLessThanOrEqual(201);
    const mark = ignored.find((i) => i.reason === "pruned-through")!;
    expect(mark.comment).toBeGreaterThan(1000);
    const comment = (id: number) => ({
      id,
      body: "/hold again",
      created_at: "t",
      updated_at: "t",
      user: { login: "mallory", type: "User" },
    });
    const unseen = unseenLines([comment(1000), comment(1259), comment(1299), comment(2000)], {
      commands: kept,
      ignored,
    });
    expect(unseen.lines.map((l) => l.comment)).toEqual([2000]);
    // Pruning again changes nothing.
    expect(pruneCommands(kept, ignored, { login: "jane" })).toEqual({ commands: kept, ignored });
  });
});

// 500 devices run in `npm run test:corpora` (test/corpora/status-size.corpus.ts).
describe(`status comment size: ${SOME_DEVICES} devices and repeated reissues`, () => {
  it("keeps current tokens whole, older ones as stand-ins, replays the same and fits", () => {
    manyDevices(SOME_DEVICES).replayReissueRounds();
  });
});

describe("status comment size: a request of 500 devices", () => {
  const { request, issueUrl, at } = manyDevices(500);

  it("renders a view that fits for a record too large to show whole, never an oversized body", () => {
    const config = defaultConfig();
    const certificates: CertificateRecord[] = Array.from({ length: 1500 }, (_, i) => ({
      device: `d-${i}`,
      path: `certificates/7/d-${i}.pem`,
      fingerprintSha256: createHash("sha256").update(String(i)).digest("hex").toUpperCase().match(/../g)!.join(":"),
      pr: 50,
      mergedCommit: "a".repeat(40),
      mergedAt: at(5),
      verdict: "valid",
      errors: [],
    }));
    const base = JSON.parse(
      JSON.stringify(
        readRecord(
          writeRecord({
            version: 1,
            repository: "acme/access-requests",
            issue: 7,
            issueUrl,
            requester: "jane",
            stage: "certificates",
            checklist: [],
            certification: null,
            hold: null,
            rejection: null,
            reissueRequested: [],
            voidedRuns: [],
            voidedTicks: [],
            reclosed: [],
            transitions: [],
            request,
            form: { at: at(0), bodySha256: "cd".repeat(32), valid: true, problems: [], applied: true },
            formLog: [],
            commands: [],
            ignored: [],
            pullRequests: [],
            certificates,
            issuance: [],
            issuanceComments: [],
            integrity: [],
          }),
        ),
      ),
    ) as AccessRecord;
    const body = renderStatusComment(base, config);
    expect(body.length).toBeLessThan(COMMENT_LIMIT);
    expect(body).toMatch(/Certificates/);
  });
});
