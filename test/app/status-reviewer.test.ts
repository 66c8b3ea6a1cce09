import { afterEach, describe, expect, it } from "vitest";
import { Scenario } from "./helpers/scenario.js";

/** The status comment as the requester and the reviewers read it while certification runs. */

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

function section(body: string, heading: string): string {
  const start = body.indexOf(`### ${heading}`);
  if (start < 0) return "";
  const end = body.indexOf("\n### ", start + 4);
  return body.slice(start, end < 0 ? undefined : end);
}

describe("the status comment at certification", () => {
  it("tells the requester what happens and that they need do nothing; reviewer commands are not their missing items", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const body = s.gh.statusComment(n)!.body;
    const next = section(body, "Next step");
    expect(next).toMatch(/\[jane\]\(https:\/\/github\.com\/jane\): nothing to do here now/);
    expect(next).toMatch(/OneRecord contacts you/);
    expect(section(body, "What is missing")).toBe("");
    const waiting = section(body, "Waiting for the reviewers");
    expect(waiting).toContain("Legal agreements signed (`/check legal-agreements`)");
    expect(waiting).toMatch(/approval by a reviewer who is not the requester/);
  });

  it("shows the Stage attestation ticked in the form as attested by the requester, until a reviewer confirms it", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const row = () =>
      s!.gh
        .statusComment(n)!
        .body.split("\n")
        .find((l) => l.startsWith("| Stage testing confirmed"))!;
    expect(row()).toMatch(/attested in the form by the requester \[jane\]\(https:\/\/github\.com\/jane\)/);
    expect(row()).toMatch(/\| ⬜ \|/);
    await s.say(n, "rita", "/check stage-testing demo seen");
    expect(row()).toMatch(/attested in the form by the requester/);
    expect(row()).toMatch(/\| ✅ \| \[rita\]/);
  });

  it("still lists the form's problems as what is missing while the request is being requested", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: "" });
    const body = s.gh.statusComment(n)!.body;
    expect(section(body, "What is missing")).not.toBe("");
    expect(section(body, "Waiting for the reviewers")).toBe("");
    expect(body.split("\n").find((l) => l.startsWith("| Stage testing confirmed"))).not.toMatch(/attested/);
  });
});
