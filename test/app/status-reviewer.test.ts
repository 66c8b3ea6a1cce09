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
    expect(row()).toMatch(/\| ⬜ not yet \|/);
    await s.say(n, "rita", "/check stage-testing demo seen");
    expect(row()).toMatch(/attested in the form by the requester/);
    expect(row()).toMatch(/\| ✅ done \| \[rita\]/);
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

describe("what is missing at 200 devices", () => {
  it("collapses beyond a few devices into a count, with the list folded", async () => {
    s = await Scenario.start();
    const devices = Array.from({ length: 200 }, (_, i) => `pump-${String(i + 1).padStart(3, "0")}`);
    const n = await s.open({ devices });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    const missing = section(s.gh.statusComment(n)!.body, "What is missing");
    const bullets = missing.split("\n").filter((l) => l.startsWith("- "));
    expect(bullets[0]).toBe("- Certificates for 200 of 200 devices: 200 not merged yet");
    expect(missing).toContain("<details><summary>The 200 devices without a valid certificate</summary>");
    expect(missing).toContain("`pump-200`: no certificate merged yet");
    // Folded: the visible list is the count alone.
    const beforeFold = missing.slice(0, missing.indexOf("<details>"));
    expect(beforeFold.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(1);
  });

  it("lists a few devices inline", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: ["gw-1", "gw-2"] });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    const missing = section(s.gh.statusComment(n)!.body, "What is missing");
    expect(missing).toContain("- Certificate for `gw-1`: no certificate merged yet");
    expect(missing).not.toContain("<details>");
  });
});
