import { Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import app from "../../src/app/index.js";
import { formBody } from "./helpers/form.js";
import { testPrivateKey } from "./helpers/harness.js";
import { commentEvent, issueEvent } from "./helpers/payloads.js";
import { Scenario } from "./helpers/scenario.js";

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

/** Another app process on the same GitHub: no shared memory with the first. */
async function secondInstance(): Promise<Probot> {
  const probot = new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    secret: "x",
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((options: object) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  await probot.load(app);
  return probot;
}

describe("duplicate, late, out-of-order and concurrent deliveries", () => {
  it("serializes two events for one issue inside one process", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const a = s.gh.addComment(n, "/check stage-testing", "rita");
    const b = s.gh.addComment(n, "/check legal-agreements", "tom");
    await Promise.all([
      s.probot.receive(commentEvent(s.gh, "created", a)),
      s.probot.receive(commentEvent(s.gh, "created", b)),
    ]);
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing", "legal-agreements"]);
    expect(s.gh.botComments(n)).toHaveLength(1);
  });

  it("reaches the same state whatever the delivery order", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const comments = [
      s.gh.addComment(n, "/check stage-testing\n/check legal-agreements", "rita"),
      s.gh.addComment(n, "/hold DPA missing", "tom"),
      s.gh.addComment(n, "/check account-review\n/check network-review", "rita"),
      s.gh.addComment(n, "/unhold", "rita"),
      s.gh.addComment(n, "/approve-certification", "tom"),
    ];
    const events = comments.map((c) => commentEvent(s!.gh, "created", c));
    for (const e of [...events].reverse()) await s.probot.receive(e);
    await s.probot.receive(events[2]!); // and one delivered twice
    const record = s.record(n);
    expect(record.stage).toBe("certification");
    expect(record.checklist.map((c) => c.item)).toEqual(["stage-testing", "legal-agreements"]);
    expect(record.commands.map((c) => [c.name, c.outcome])).toEqual([
      ["check", "accepted"],
      ["check", "accepted"],
      ["hold", "accepted"],
      ["check", "refused"], // on hold at that point of the history
      ["check", "refused"],
      ["unhold", "accepted"],
      ["approve-certification", "refused"], // account-review and network-review still open
    ]);
  });

  it("lets a late, older form edit lose against the newer one", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: ["a-1"] });
    const original = s.gh.issues.get(n)!.body;
    s.gh.editIssueBody(n, formBody({ devices: ["bad id"] }));
    const older = issueEvent(s.gh, "edited", n, { changes: { body: { from: original } } });
    s.gh.editIssueBody(n, formBody({ devices: ["a-1", "a-2"] }));
    const newer = issueEvent(s.gh, "edited", n, { changes: { body: { from: "(previous)" } } });
    await s.probot.receive(newer);
    await s.probot.receive(older);
    expect(s.record(n)).toMatchObject({ stage: "certification", request: { devices: ["a-1", "a-2"] } });
  });

  it("freezes the approved request: later form edits are not applied until a revoke", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: ["a-1"] });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    await s.editForm(n, { devices: ["a-1", "sneaky-extra"] });
    expect(s.record(n)).toMatchObject({
      stage: "certificates",
      request: { devices: ["a-1"] },
      form: { applied: false },
    });
    expect(s.gh.statusComment(n)!.body).toMatch(/edited after certification was approved; the edits are not applied/);
    await s.editForm(n, { devices: ["bad id"] });
    expect(s.record(n)).toMatchObject({ stage: "certificates", request: { devices: ["a-1"] } });
    await s.editForm(n, { devices: ["a-1", "a-2"] });
    await s.say(n, "rita", "/revoke-certification the device list changed");
    expect(s.record(n)).toMatchObject({
      stage: "certification",
      request: { devices: ["a-1", "a-2"] },
      form: { applied: true },
    });
  });

  it("converges when two app instances write the same issue at once", async () => {
    s = await Scenario.start();
    const other = await secondInstance();
    const n = await s.open();
    const a = s.gh.addComment(n, "/check stage-testing", "rita");
    let interleaved = false;
    const gh = s.gh;
    // Instance 1 has read the comments and is about to write the status comment when a second
    // comment arrives and instance 2 handles it completely. Instance 1's write then lacks it.
    gh.beforeRequest = async (req) => {
      if (interleaved || req.operationId !== "issues/update-comment") return;
      interleaved = true;
      const b = gh.addComment(n, "/check legal-agreements", "tom");
      await other.receive(commentEvent(gh, "created", b));
    };
    await s.probot.receive(commentEvent(gh, "created", a));
    gh.beforeRequest = undefined;
    expect(interleaved).toBe(true);
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing", "legal-agreements"]);
    expect(s.labels(n)).not.toContain("needs: legal-agreements");
    expect(s.gh.botComments(n)).toHaveLength(1);
  });

  it("keeps one status comment when two instances handle the same opened event", async () => {
    s = await Scenario.start();
    const other = await secondInstance();
    const issue = s.gh.openIssue(formBody());
    const event = issueEvent(s.gh, "opened", issue.number);
    let interleaved = false;
    s.gh.beforeRequest = async (req) => {
      if (interleaved || req.operationId !== "issues/create-comment") return;
      interleaved = true;
      await other.receive(event);
    };
    await s.probot.receive(event);
    s.gh.beforeRequest = undefined;
    expect(interleaved).toBe(true);
    const status = s.gh.botComments(issue.number);
    expect(status).toHaveLength(1);
    expect(s.record(issue.number).stage).toBe("certification");
  });

  it("survives a restart: a new process picks up from the issue alone", async () => {
    s = await Scenario.start();
    const n = await s.open();
    await s.say(n, "rita", "/check stage-testing");
    const restarted = await secondInstance();
    const c = s.gh.addComment(n, "/check legal-agreements", "tom");
    await restarted.receive(commentEvent(s.gh, "created", c));
    expect(s.record(n).checklist.map((i) => i.item)).toEqual(["stage-testing", "legal-agreements"]);
  });
});
