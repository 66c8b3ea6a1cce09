import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { formatTime } from "../../src/app/render/markdown.js";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import { CONFIG, Scenario } from "./helpers/scenario.js";
import { makeTestCa, type TestCa } from "./helpers/test-ca.js";
import { makeTokenKey, requestInTokens, tokenRun } from "./helpers/token-run.js";

/** The audit trail and the stage bar of the status comment, as an auditor reads them. */

let ca: TestCa;
let key: SigningKey;
beforeAll(async () => {
  ca = await makeTestCa(["gw-1", "gw-2"]);
  key = await makeTokenKey();
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

/** The audit trail's rows, oldest first, as "who | what". */
function auditRows(body: string): string[] {
  const start = body.indexOf("| When | Who | What | Link |");
  const end = body.indexOf("\n\n", start);
  return body
    .slice(start, end)
    .split("\n")
    .slice(2)
    .map((row) => {
      const [, who, what] = row.split(" | ");
      return `${who!.replace(/^\[([^\]]+)\].*$/, "$1")} | ${what!.replace(/\\(.)/g, "$1")}`;
    });
}

describe("audit trail", () => {
  it("going live names the maintainer who ran the token workflow, and the issuance comes before the stage it causes", async () => {
    const [started, n] = await requestInTokens(ca, key, ["gw-1", "gw-2"]);
    s = started;
    await tokenRun(s, n, key, 777, ["gw-1", "gw-2"], { actor: "maria" });
    const rows = auditRows(s.gh.statusComment(n)!.body);
    const issued = rows.indexOf("maria | 2 token(s) issued");
    const live = rows.indexOf("maria | stage tokens → live");
    expect(issued).toBeGreaterThan(-1);
    expect(live).toBeGreaterThan(issued);
    expect(rows.join("\n")).not.toContain("github-actions");
    expect(s.record(n).issuance.map((t) => t.by)).toEqual(["maria", "maria"]);
  });

  it("puts every cause before its effect at equal times: the approval before the stage it moves", async () => {
    s = await Scenario.start();
    const n = await s.open();
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    const rows = auditRows(s.gh.statusComment(n)!.body);
    expect(rows.indexOf("tom | approved certification")).toBeLessThan(
      rows.indexOf("tom | stage certification → certificates"),
    );
  });

  it("shows refused attempts by outsiders and by the requester, one line per comment", async () => {
    // jane, the requester, is a reviewer too: the requester refusal is hers.
    s = await Scenario.start(CONFIG.replace("logins: [rita]", "logins: [rita, jane]"));
    const n = await s.open();
    await s.say(n, "mallory", "/approve-certification\n/check legal-agreements");
    await s.say(n, "jane", "/check stage-testing");
    await s.say(n, "rita", "/check nothing-such"); // a reviewer's mistake is answered, not audited
    const rows = auditRows(s.gh.statusComment(n)!.body);
    expect(rows).toContain("mallory | not run, not a reviewer: /approve-certification, /check legal-agreements");
    expect(rows).toContain("jane | not run, the requester's own request: /check stage-testing");
    expect(rows.filter((r) => r.startsWith("rita"))).toEqual([]);
  });

  it("says 1 entry, not 1 entries", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: "" });
    expect(s.gh.statusComment(n)!.body).toContain("<b>Audit trail</b> (1 entry)");
  });
});

describe("times and the stage bar", () => {
  it("writes times that do not wrap inside a table cell", () => {
    const shown = formatTime("2026-06-01T10:00:00Z");
    expect(shown).toBe("2026-06-01\u00a010:00\u00a0UTC");
    expect(shown).not.toContain(" ");
  });

  it("shows where a rejected request stopped instead of striking every stage", async () => {
    s = await Scenario.start();
    const n = await s.open();
    await s.say(n, "rita", "/reject not a customer of ours");
    const bar = s.gh.statusComment(n)!.body.split("\n")[3]!;
    expect(bar).toBe("✅ Requested (done) → ⛔ **Certification: rejected** → ~~Certificates~~ → ~~Tokens~~ → ~~Live~~");
  });
});
