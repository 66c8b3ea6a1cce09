import { afterEach, describe, expect, it } from "vitest";
import { writeRecord, STATUS_MARKER } from "../../src/record/codec.js";
import { verifyLedgerHistory } from "../../src/record/ledger-history.js";
import { loadRecordSigningKey } from "../../src/record/record-signing-key.js";
import { commentEvent } from "./helpers/payloads.js";
import { otherRecordSecret, testRecordKey } from "./helpers/record-key.js";
import { CONFIG, Scenario } from "./helpers/scenario.js";

/**
 * The record lives in the signed ledger (records/<issue>.json on the ledger branch): what a
 * person with write access can do to the status comment or the ledger changes nothing that
 * counts, and what cannot be trusted is reported and recovered from (../shared/SPEC.md G;
 * docs/app.md, "The signed record"). On the OpenAPI-checked GitHub stand-in.
 */
let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

async function approved(): Promise<[Scenario, number]> {
  s = await Scenario.start();
  const n = await s.open({ devices: ["gw-1"] });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  expect(s.record(n).stage).toBe("certificates");
  return [s, n];
}

describe("the status comment is a view", () => {
  it("holds no record: a v1 block pasted into it by a person with write access advances nothing", async () => {
    const [s, n] = await approved();
    const status = s.gh.statusComment(n)!;
    expect(status.body).not.toMatch(/onerecord-access:record/);
    const forged = { ...s.record(n), stage: "tokens" as const };
    s.gh.editComment(status.id, `${status.body}\n${writeRecord(forged)}`);
    await s.say(n, "mallory", "/status");
    expect(s.record(n).stage).toBe("certificates");
    expect(s.gh.statusComment(n)!.body).not.toMatch(/onerecord-access:record/);
  });

  it("is put back when deleted, with nothing forgotten", async () => {
    const [s, n] = await approved();
    const before = s.record(n);
    s.gh.comments.delete(s.gh.statusComment(n)!.id);
    await s.say(n, "mallory", "/status");
    expect(s.gh.statusComment(n)).toBeDefined();
    expect(s.record(n)).toMatchObject({ stage: "certificates", certification: before.certification });
    expect(s.record(n).integrity).toEqual([]);
  });

  it("writes no ledger version and no comment revision when nothing changed", async () => {
    const [s, n] = await approved();
    const versions = s.gh.ledgerHistory(n).length;
    const body = s.gh.statusComment(n)!.body;
    await s.say(n, "carol", "thanks, looks good"); // no command
    await s.say(n, "tom", "/status");
    expect(s.gh.ledgerHistory(n).length).toBe(versions + 1); // the /status line is recorded once
    await s.say(n, "carol", "another remark");
    expect(s.gh.ledgerHistory(n).length).toBe(versions + 1);
    expect(s.gh.statusComment(n)!.body).toBe(body);
  });
});

describe("tampering with the ledger fails closed and recovers", () => {
  it("reports a head that does not verify, continues from the newest valid version and writes over it", async () => {
    const [s, n] = await approved();
    const genuine = s.gh.ledgerText(n)!;
    const file = JSON.parse(genuine) as { protected: string; payload: string; signature: string };
    const payload = JSON.parse(Buffer.from(file.payload, "base64url").toString()) as Record<string, unknown>;
    const forged = {
      ...file,
      payload: Buffer.from(JSON.stringify({ ...payload, stage: "tokens" })).toString("base64url"),
    };
    s.gh.pushLedger(n, JSON.stringify(forged), "mallory");
    await s.say(n, "mallory", "/status");
    const record = s.record(n);
    expect(record.stage).toBe("certificates");
    expect(record.integrity.at(-1)).toMatchObject({ kind: "tampered", code: "bad-signature" });
    expect(s.gh.statusComment(n)!.body).toMatch(/changed outside the app/);
    // The head is the app's again and verifies.
    expect(await verifiedHead(s, n)).toBe(true);
  });

  it("does not accept a genuine older version pushed back by someone else (a rollback past /reject)", async () => {
    const [s, n] = await approved();
    const beforeReject = s.gh.ledgerText(n)!;
    await s.say(n, "tom", "/reject the DPA was withdrawn");
    expect(s.record(n).stage).toBe("rejected");
    s.gh.pushLedger(n, beforeReject, "mallory");
    await s.say(n, "mallory", "/status");
    expect(s.record(n).stage).toBe("rejected");
    expect(s.record(n).integrity.at(-1)).toMatchObject({ kind: "tampered", code: "not-by-app" });
  });

  it("restores a deleted ledger file from its history", async () => {
    const [s, n] = await approved();
    s.gh.deleteLedgerFile(n);
    await s.say(n, "mallory", "/status");
    expect(s.record(n)).toMatchObject({
      stage: "certificates",
      integrity: [expect.objectContaining({ kind: "deleted" })],
    });
  });

  it("does not adopt another request's genuine record copied over this one's (a transferred issue)", async () => {
    s = await Scenario.start();
    const other = await s.open({ devices: ["gw-7"] });
    await s.tickAll(other);
    await s.say(other, "tom", "/approve-certification");
    const n = await s.open({ devices: ["gw-1"] });
    s.gh.pushLedger(n, s.gh.ledgerText(other)!, "mallory");
    await s.say(n, "mallory", "/status");
    expect(s.record(n)).toMatchObject({ issue: n, stage: "certification", certification: null });
    expect(s.record(n).integrity.at(-1)).toMatchObject({ kind: "tampered", code: "foreign-record" });
  });
});

describe("an approval binds to the form version its author could have seen", () => {
  it("refuses an approval written before an edit that the app processed first (out-of-order delivery)", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: ["gw-1"] });
    await s.tickAll(n);
    // tom approves version A; before that comment's webhook arrives, the requester edits the
    // form (adds a device, changes the networks) and that edit's webhook is handled first.
    const approval = s.gh.addComment(n, "/approve-certification", "tom");
    await s.editForm(n, { devices: ["gw-1", "gw-9"], networkPaths: ["1.1.1.0/24"] });
    await s.probot.receive(commentEvent(s.gh, "created", approval));
    const record = s.record(n);
    expect(record.stage).toBe("certification");
    expect(record.certification).toBeNull();
    expect(record.commands.find((c) => c.comment === approval.id)).toMatchObject({
      outcome: "refused",
      refusal: "form-changed",
      beforeForm: true,
    });
    expect(s.replies(n).at(-1)).toMatch(
      /the form changed after this approval was written; approve the current version/,
    );
    // The body's version time comes from GitHub (lastEditedAt), asked once for the new body.
    expect(record.form.writtenAt).toBeDefined();
  });
});

describe("migration, rotation and the auditor's replay", () => {
  it("migrates a v1 record from the status comment once, as the first signed version marked migrated", async () => {
    s = await Scenario.start(`${CONFIG}records:\n  migrateUntil: "2030-01-01T00:00:00Z"\n`);
    const n = await s.open({ devices: ["gw-1"] });
    const record = s.record(n);
    // As an app from before the ledger left it: the record in the status comment, no ledger file.
    s.gh.wipeLedger();
    const status = s.gh.statusComment(n)!;
    s.gh.editComment(status.id, `${STATUS_MARKER}\n## old status\n\n${writeRecord({ ...record, integrity: [] })}\n`);
    await s.say(n, "rita", "/check stage-testing");
    const migrated = s.record(n);
    expect(migrated.integrity).toEqual([expect.objectContaining({ kind: "migrated", comment: status.id })]);
    expect(migrated.checklist.map((c) => c.item)).toEqual(["stage-testing"]);
    expect(s.gh.ledgerHistory(n)).toHaveLength(1);
    expect(s.gh.statusComment(n)!.body).not.toMatch(/onerecord-access:record/);
    await s.say(n, "rita", "/check legal-agreements");
    expect(s.record(n).integrity).toHaveLength(1);
  });

  it("migrates nothing without the operator's window, or from a status comment changed after it (a forged v1 record)", async () => {
    s = await Scenario.start(`${CONFIG}records:\n  migrateUntil: "2025-01-01T00:00:00Z"\n`);
    const n = await s.open({ devices: ["gw-1"] });
    const forged = { ...s.record(n), stage: "tokens" as const, integrity: [] };
    s.gh.wipeLedger();
    const status = s.gh.statusComment(n)!;
    s.gh.editComment(status.id, `${STATUS_MARKER}\n${writeRecord(forged)}\n`);
    await s.say(n, "mallory", "/status");
    expect(s.record(n)).toMatchObject({ stage: "certification", integrity: [{ kind: "lost", code: "not-migrated" }] });
    expect(s.gh.statusComment(n)!.body).toMatch(/not migrated: `records.migrateUntil` is not set/);
  });

  it("does not take a request whose record file was deleted and whose status comment is gone for a new one", async () => {
    const [s, n] = await approved();
    await s.say(n, "tom", "/reject the DPA was withdrawn");
    s.gh.comments.delete(s.gh.statusComment(n)!.id);
    s.gh.deleteLedgerFile(n);
    await s.say(n, "mallory", "/status");
    expect(s.record(n)).toMatchObject({ stage: "rejected", integrity: [expect.objectContaining({ kind: "deleted" })] });
  });

  it("keeps old versions verifiable after the record key is rotated", async () => {
    const [s, n] = await approved();
    const old = await testRecordKey();
    const secret = otherRecordSecret();
    const next = await loadRecordSigningKey(secret);
    // Rotation as docs/app.md orders it: publish the new key beside the old, then switch the secret.
    await s.restartWithRecordKey(secret, [old.publicJwk, next.publicJwk]);
    await s.say(n, "tom", "/hold waiting for the DPA");
    const history = await auditorReplay(s, n, [old.publicJwk, next.publicJwk]);
    expect(history.versions.every((v) => v.ok)).toBe(true);
    expect(new Set(history.versions.map((v) => (v.ok ? v.kid : "")))).toEqual(new Set([old.kid, next.kid]));
  });

  it("lets an auditor replay the ledger history and reach the app's state", async () => {
    const [s, n] = await approved();
    await s.say(n, "tom", "/hold waiting for the DPA");
    const key = await testRecordKey();
    const history = await auditorReplay(s, n, [key.publicJwk]);
    expect(history.headValid).toBe(true);
    expect(history.versions.every((v) => v.ok)).toBe(true);
    expect(history.newestValid!.record).toEqual(s.record(n));
  });
});

describe("concurrent instances write the ledger with compare-and-swap", () => {
  it("loses no update when another instance writes between this one's read and write", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const other = await s.secondInstance();
    const a = s.gh.addComment(n, "/check stage-testing", "rita");
    let interleaved = false;
    const gh = s.gh;
    gh.beforeRequest = async (req) => {
      if (interleaved || req.operationId !== "repos/create-or-update-file-contents") return;
      interleaved = true;
      const b = gh.addComment(n, "/check legal-agreements", "tom");
      await other.receive(commentEvent(gh, "created", b));
    };
    await s.probot.receive(commentEvent(gh, "created", a));
    gh.beforeRequest = undefined;
    expect(interleaved).toBe(true);
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing", "legal-agreements"]);
    expect(gh.requests.filter((r) => r.method === "PUT" && r.status === 409)).toHaveLength(1);
    expect(gh.botComments(n)).toHaveLength(1);
  });
});

describe("without a record key nothing advances", () => {
  it("says so on the status comment and runs the waiting commands once the key is configured", async () => {
    s = await Scenario.start(undefined, { recordKey: false });
    const n = await s.open();
    await s.tickAll(n);
    expect(s.gh.ledgerText(n)).toBeNull();
    expect(s.gh.statusComment(n)!.body).toMatch(
      /cannot keep a signed record of this request: the app has no record signing key/,
    );
    expect(s.labels(n)).toEqual([]);
    await s.restartWithRecordKey();
    await s.say(n, "mallory", "/status");
    expect(s.record(n).checklist).toHaveLength(4);
    expect(s.record(n).integrity).toEqual([]);
  });
});

async function verifiedHead(s: Scenario, n: number): Promise<boolean> {
  const key = await testRecordKey();
  const history = await auditorReplay(s, n, [key.publicJwk]);
  return history.headValid;
}

async function auditorReplay(s: Scenario, n: number, keys: unknown[]) {
  return verifyLedgerHistory(s.gh.ledgerHistory(n), { keys }, { repository: "acme/access-requests", issue: n });
}

describe("a known content is not a known commit", () => {
  it("refuses a byte-identical copy of a version this instance wrote, pushed after another instance's /reject", async () => {
    const [s, n] = await approved();
    // Instance A (s.probot) wrote V and remembers it; instance B records a reviewer's /reject.
    const v = s.gh.ledgerText(n)!;
    const b = await s.secondInstance();
    const reject = s.gh.addComment(n, "/reject the DPA was withdrawn", "tom");
    await b.receive(commentEvent(s.gh, "created", reject));
    expect(s.record(n).stage).toBe("rejected");
    // Someone with write access deletes the /reject comment and commits an exact copy of V.
    s.gh.comments.delete(reject.id);
    s.gh.pushLedger(n, v, "mallory");
    expect(s.gh.ledgerText(n)).toBe(v);
    // The next event reaches A.
    await s.say(n, "mallory", "/status");
    expect(s.record(n).stage).toBe("rejected");
    expect(s.record(n).integrity.at(-1)).toMatchObject({ kind: "tampered", code: "not-by-app" });
  });
});

/** A status comment as a person reads it: Markdown's backslash escapes removed. */
const unescaped = (body: string) => body.replace(/\\(.)/g, "$1");

describe("the ledger branch's protection is a checked precondition", () => {
  it("advances nothing without the ruleset, says exactly what to configure, and runs the waiting commands once it is there", async () => {
    s = await Scenario.start();
    s.gh.branchRules.set("onerecord-access/records", []);
    const n = await s.open();
    await s.say(n, "rita", "/check stage-testing");
    expect(s.gh.ledgerText(n)).toBeNull();
    const notice = unescaped(s.gh.statusComment(n)!.body);
    expect(notice).toMatch(/Nothing on this request advances/);
    expect(notice).toMatch(/branch onerecord-access\/records of acme\/access-requests is not protected/);
    expect(notice).toMatch(/“Restrict deletions”, “Block force pushes” and “Require linear history”/);
    expect(s.labels(n)).toEqual([]);
    // /status shows the same, and still nothing is recorded.
    await s.say(n, "jane", "/status");
    expect(s.gh.ledgerText(n)).toBeNull();
    // The operator adds the ruleset: the next event records the request and the waiting /check.
    s.gh.branchRules.set("onerecord-access/records", [
      { type: "deletion" },
      { type: "non_fast_forward" },
      { type: "required_linear_history" },
    ]);
    await s.say(n, "jane", "/status");
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing"]);
    expect(s.gh.statusComment(n)!.body).not.toMatch(/not protected/);
  });

  it("names only the missing rule: deletions restricted but force pushes allowed is refused too", async () => {
    const [s, n] = await approved();
    s.gh.branchRules.set("onerecord-access/records", [
      { type: "deletion" },
      { type: "update" },
      { type: "required_linear_history" },
    ]);
    const before = s.gh.ledgerHistory(n).length;
    await s.say(n, "tom", "/reject the DPA was withdrawn");
    expect(s.gh.ledgerHistory(n).length).toBe(before);
    expect(s.record(n).stage).toBe("certificates");
    const notice = unescaped(s.gh.statusComment(n)!.body);
    expect(notice).toMatch(/with “Block force pushes”/);
    expect(notice).not.toMatch(/Restrict deletions/);
  });

  it("fails closed when the rules cannot be read (the ledger repository not reachable)", async () => {
    s = await Scenario.start();
    s.gh.branchRulesStatus = 404;
    const n = await s.open();
    expect(s.gh.ledgerText(n)).toBeNull();
    expect(unescaped(s.gh.statusComment(n)!.body)).toMatch(
      /cannot read the rules of the ledger branch .* \(HTTP 404\)/,
    );
  });
});

describe("the app's own name decides whose commits are its", () => {
  it("ignores a BOT_LOGIN that is not an app's bot name (a person's login would make their commits trusted)", async () => {
    process.env.BOT_LOGIN = "mallory";
    try {
      s = await Scenario.start();
      const n = await s.open();
      expect(s.record(n).writer).toBe("onerecord-access[bot]");
      const genuine = s.gh.ledgerText(n)!;
      s.gh.pushLedger(n, "junk", "mallory");
      s.gh.pushLedger(n, genuine, "mallory");
      await s.say(n, "rita", "/check stage-testing");
      expect(s.record(n).integrity.at(-1)).toMatchObject({ kind: "tampered", code: "not-by-app" });
    } finally {
      delete process.env.BOT_LOGIN;
    }
  });
});
