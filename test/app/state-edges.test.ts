import { afterEach, describe, expect, it } from "vitest";
import { STATUS_MARKER } from "../../src/record/codec.js";
import { Scenario } from "./helpers/scenario.js";

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

describe("state edges", () => {
  it("closes a rejected request again when someone reopens it, and says so in the audit trail", async () => {
    s = await Scenario.start();
    const n = await s.open();
    await s.say(n, "rita", "/reject not a healthcare customer");
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "not_planned" });
    s.gh.issues.get(n)!.state = "open"; // reopened by hand
    s.gh.issues.get(n)!.state_reason = "reopened";
    await s.say(n, "mallory", "/status");
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(s.record(n).reclosed).toHaveLength(1);
    expect(s.gh.statusComment(n)!.body).toMatch(/reopened while rejected\\: closed again/);
  });

  it("never deletes its own refusal reply, even one quoting the status marker", async () => {
    s = await Scenario.start();
    const n = await s.open();
    await s.say(n, "mallory", `/check ${STATUS_MARKER}`);
    const reply = s.replies(n).at(-1)!;
    expect(reply).toMatch(/^@mallory /);
    await s.say(n, "mallory", "/status");
    expect(s.replies(n)).toContain(reply);
    expect(s.gh.botComments(n).filter((c) => c.body.startsWith(STATUS_MARKER))).toHaveLength(1);
  });

  it("remembers a comment without a command as seen, so later events do not read it again", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const chat = s.gh.addComment(n, `thanks! ${"> ".repeat(2000)}`, "jane"); // no webhook handled: it has no command
    await s.say(n, "rita", "/check stage-testing");
    expect(s.record(n).ignored).toContainEqual({ comment: chat.id, by: "jane", reason: "no-command" });
    expect(s.replies(n)).toEqual([]);
    await s.say(n, "rita", "/check legal-agreements");
    expect(s.record(n).ignored.filter((i) => i.comment === chat.id)).toHaveLength(1);
  });

  it("takes a duplicate status comment that another instance deleted first (404) as done", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const duplicate = s.gh.addComment(n, s.gh.statusComment(n)!.body, { login: "onerecord-access[bot]", type: "Bot" });
    const gh = s.gh;
    gh.beforeRequest = (req) => {
      if (req.operationId === "issues/delete-comment") gh.comments.delete(duplicate.id);
      return Promise.resolve();
    };
    await expect(s.say(n, "rita", "/check stage-testing")).resolves.toBeDefined();
    gh.beforeRequest = undefined;
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing"]);
  });
});
