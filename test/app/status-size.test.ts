import { createHash, randomBytes, randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/parse.js";
import { renderStatusComment } from "../../src/app/render/status.js";
import { assembleRecord } from "../../src/app/state/assemble.js";
import { excerptArgs, MAX_KEPT_ARGS, pruneCommands } from "../../src/app/state/bounds.js";
import { unseenLines } from "../../src/app/state/observed-lines.js";
import { reduce } from "../../src/app/state/reduce.js";
import type { ReduceInput } from "../../src/app/state/types.js";
import { COMMENT_LIMIT, readRecord, writeRecord } from "../../src/record/codec.js";
import type {
  AccessRecord,
  CertificateRecord,
  CommandRecord,
  IssuanceRecord,
  RequestContent,
} from "../../src/record/schema.js";
import { hasCurrentToken, thumbprintFromFingerprint } from "../../src/record/tokens.js";
import { MAX_RECORD_JSON_BYTES } from "../../src/record/ledger-file.js";
import { recordSchema } from "../../src/record/schema.js";
import { COMMENT_BODY_LIMIT } from "./helpers/fake-github.js";
import { Scenario } from "./helpers/scenario.js";

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

const spam = (): string => Array.from({ length: 20 }, () => `/hold ${randomBytes(360).toString("base64")}`).join("\n");

describe("status comment size: what commenters post", () => {
  it("stays under GitHub's limit however much a non-reviewer spams commands, and the request still advances", async () => {
    s = await Scenario.start();
    const n = await s.open();
    for (let i = 0; i < 15; i++) {
      await s.say(n, "mallory", spam());
      expect(s.gh.statusComment(n)!.body.length).toBeLessThan(COMMENT_LIMIT);
    }
    // Every spam comment was answered once, quoting only an excerpt.
    expect(s.replies(n)).toHaveLength(15);
    expect(s.replies(n).every((r) => r.length < 20 * 400)).toBe(true);
    const record = s.record(n);
    expect(record.commands.length).toBeLessThanOrEqual(40);
    expect(record.commands.every((c) => c.args.length <= MAX_KEPT_ARGS)).toBe(true);
    const pruned = record.ignored.filter((i) => i.reason === "pruned");
    expect(pruned.reduce((sum, i) => sum + (i.lines ?? 0), 0) + record.commands.length).toBe(300);

    // A reviewer's command still runs; the dropped comments are not read (or answered) again.
    await s.say(n, "rita", "/check stage-testing");
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing"]);
    expect(s.replies(n)).toHaveLength(15);
    await s.say(n, "rita", "/hold waiting for legal");
    expect(s.record(n).hold).toMatchObject({ by: "rita", reason: "waiting for legal" });
    expect(s.gh.statusComment(n)!.body.length).toBeLessThan(COMMENT_LIMIT);
  }, 60_000);

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

describe("status comment size: 500 devices and repeated reissues", () => {
  const devices = Array.from({ length: 500 }, (_, i) => `clinic-${String(i).padStart(3, "0")}-gateway`);
  const request: RequestContent = {
    account: "Acme",
    contact: "j@acme.test",
    devices,
    certificateOption: 1,
    networkPaths: ["8.8.4.0/24"],
    sha256: "1".repeat(64),
  };
  const issueUrl = "https://github.com/acme/access-requests/issues/7";
  const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 10, minute)).toISOString();
  const fingerprints = devices.map(() => randomBytes(32).toString("hex").toUpperCase().match(/../g)!.join(":"));
  const certificates: CertificateRecord[] = devices.map((device, i) => ({
    device,
    path: `certificates/7/${device}.pem`,
    fingerprintSha256: fingerprints[i]!,
    pr: 50,
    mergedCommit: "a".repeat(40),
    mergedAt: at(5),
    verdict: "valid",
    errors: [],
    notAfter: "2027-06-01T00:00:00.000Z",
  }));
  const pullRequests = [
    {
      number: 50,
      url: "https://github.com/acme/access-requests/pull/50",
      state: "merged" as const,
      at: at(5),
      mergedAt: at(5),
      mergedCommit: "a".repeat(40),
      mergedBy: "rita",
    },
  ];
  let comment = 100;
  const command = (minute: number, name: CommandRecord["name"], args: string, by = "rita"): CommandRecord => ({
    comment: ++comment,
    index: 0,
    by,
    at: at(minute),
    name,
    args,
    reviewer: true,
    outcome: "accepted",
  });
  const round = (minute: number, run: number): IssuanceRecord[] =>
    devices.map((device, i) => ({
      device,
      jti: randomUUID(),
      x5tS256: thumbprintFromFingerprint(fingerprints[i]!),
      expiresAt: "2027-06-02T00:00:00Z",
      runUrl: `https://github.com/acme/access-requests/actions/runs/${run}`,
      at: at(minute),
      by: "github-actions[bot]",
    }));

  function input(commands: readonly CommandRecord[], issuance: readonly IssuanceRecord[]): ReduceInput {
    return {
      checklistItems: defaultConfig().checklist,
      requester: "jane",
      issueUrl,
      form: { valid: true, request },
      priorRequest: request,
      commands,
      pullRequests,
      certificates,
      issuance,
    };
  }

  // Heavy by design (500 devices, four rounds replayed twice each): a hang guard, not a timing.
  it("keeps current tokens whole, older ones as stand-ins, replays the same and fits", () => {
    const config = defaultConfig();
    const history: CommandRecord[] = [
      ...config.checklist.map((item, i) => command(1 + i * 0, "check", item)),
      command(2, "approve-certification", "", "tom"),
    ];
    let issuanceFull: IssuanceRecord[] = round(10, 1);
    let prior: AccessRecord | null = null;
    let stored: AccessRecord | null = null;
    for (let r = 1; r <= 4; r++) {
      if (r > 1) {
        history.push(command(10 * r + 5, "reissue-tokens", "all key rotation"));
        // A reviewer's command refused on the way (the request is waiting for tokens): kept.
        history.push(command(10 * r + 6, "reissue-tokens", "all again"));
        issuanceFull = [...issuanceFull, ...round(10 * r + 8, r)];
      }
      const full = reduce(input(history, issuanceFull));
      // The app's view: the stored record (pruned) plus what is new since.
      const fresh = prior
        ? issuanceFull
            .filter((t) => !prior!.issuance.some((p) => p.jti === t.jti && p.jti !== ""))
            .filter((t) => t.runUrl.endsWith(`/${r}`))
        : issuanceFull;
      const storedIssuance = [...(stored?.issuance ?? []), ...(prior ? fresh : [])];
      const issuance = prior ? storedIssuance : issuanceFull;
      const fromRecord = reduce(
        input(
          stored
            ? stored.commands.concat(history.filter((c) => !stored!.commands.some((s) => s.comment === c.comment)))
            : history,
          issuance,
        ),
      );
      expect(fromRecord).toEqual(full);
      const record = assembleRecord({
        repository: "acme/access-requests",
        issue: 7,
        issueUrl,
        requester: "jane",
        writer: "onerecord-access[bot]",
        reduced: fromRecord,
        form: { at: at(0), bodySha256: "cd".repeat(32), valid: true, problems: [], applied: true },
        formLog: [{ at: at(0), bodySha256: "cd".repeat(32), valid: true, applied: true }],
        ignored: [],
        pullRequests,
        certificates,
        issuance,
        issuanceComments: [],
        integrity: [],
      });
      expect(record.stage).toBe("live");
      expect(devices.every((d) => hasCurrentToken(record, d))).toBe(true);
      // Whole tokens: the current one of each device plus a bounded number of older ones.
      expect(record.issuance.filter((t) => t.jti !== "").length).toBeLessThanOrEqual(devices.length + 50);
      expect(record.issuance).toHaveLength(500 * r);
      // Replaying the pruned record gives the same state, outcomes and transitions.
      expect(reduce(input(record.commands, record.issuance))).toEqual(full);
      const body = renderStatusComment(record, config);
      expect(body.length).toBeLessThan(COMMENT_LIMIT);
      // The ledger keeps the record as signed JSON, well below its bound; the view holds none.
      const json = JSON.stringify(recordSchema.parse(record));
      expect(Buffer.byteLength(json)).toBeLessThan(MAX_RECORD_JSON_BYTES);
      expect(readRecord(body)).toBeNull();
      const read = recordSchema.parse(JSON.parse(json));
      expect(read).toEqual(record);
      expect(renderStatusComment(read, config)).toBe(body);
      prior = record;
      stored = read;
    }
  }, 180_000);

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
