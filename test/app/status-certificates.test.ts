import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { thumbprintFromFingerprint } from "../../src/record/tokens.js";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, mergePr, startScenario, type TestCa } from "./helpers/test-ca.js";

/** The certificates part of the status comment, as a reviewer and an auditor read it. */

let ca: TestCa;
beforeAll(async () => {
  ca = await makeTestCa(["gw-1", "gw-2"]);
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

async function approved(): Promise<[Scenario, number]> {
  s = await startScenario(ca);
  const n = await s.open({ devices: ["gw-1", "gw-2"] });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  return [s, n];
}

/** The rows of the "Certificates recorded" table. */
function certificateRows(body: string): string[] {
  const start = body.indexOf("| Device | Verdict |");
  const end = body.indexOf("\n\n", start);
  return body.slice(start, end).split("\n").slice(2);
}

/** What a reader sees of a Markdown table row: link targets and escapes dropped. */
function visible(row: string): string {
  return row.replace(/\]\([^)]*\)/g, "]").replace(/\\(.)/g, "$1");
}

describe("certificates table", () => {
  it("fits a comment's width: the x5t#S256 the tokens carry, the colon-hex fingerprint folded apart", async () => {
    const [s, n] = await approved();
    await mergePr(s, 50, { [`certificates/${n}/gw-1.pem`]: ca.leaves.get("gw-1")! });
    const body = s.gh.statusComment(n)!.body;
    const fingerprint = s.record(n).certificates[0]!.fingerprintSha256!;
    const rows = certificateRows(body);
    expect(body).toContain("| Device | Verdict | Certificate (x5t#S256) | Not after | PR |");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(`\`${thumbprintFromFingerprint(fingerprint)}\``);
    expect(rows[0]).not.toContain(fingerprint);
    // Device, verdict, thumbprint, date and PR: well under the ~100 characters of a comment's width.
    expect(visible(rows[0]!).length).toBeLessThan(100);
    expect(body).toMatch(
      new RegExp(`<details><summary>SHA-256 fingerprints</summary>\\n\\n- gw\\\\-1: \`${fingerprint}\``),
    );
  });

  it("keeps a replaced certificate visible in the device's history", async () => {
    const [s, n] = await approved();
    await mergePr(s, 50, { [`certificates/${n}/gw-1.pem`]: ca.leaves.get("gw-1")! });
    const first = s.record(n).certificates[0]!.fingerprintSha256!;
    await mergePr(s, 51, { [`certificates/${n}/gw-1.pem`]: ca.leaves.get("self-signed")! });
    const rows = certificateRows(s.gh.statusComment(n)!.body);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| gw\\-1 \| ❌ invalid \|.*\| #51 \|$/);
    expect(rows[1]).toMatch(/^\| ↳ gw\\-1 \| replaced by #51 \|/);
    expect(rows[1]).toContain(`\`${thumbprintFromFingerprint(first)}\``);
    expect(rows[1]).toMatch(/\| #50 \|$/);
    // The audit trail says so too.
    const text = s.gh
      .statusComment(n)!
      .body.replace(/\\(.)/g, "$1")
      .replace(/\u200b/g, "");
    expect(text).toContain("certificate PR #51 merged; replaces the certificate of gw-1 (from #50)");
  });
});
