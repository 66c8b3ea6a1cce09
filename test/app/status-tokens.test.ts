import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, type TestCa } from "./helpers/test-ca.js";
import { makeTokenKey, requestInTokens, tokenRun } from "./helpers/token-run.js";

/** The tokens part of the status comment: where each device's JWE is, and how to decrypt it. */

const DEVICES = ["gw-1", "gw-2", "gw-3"];
let ca: TestCa;
let key: SigningKey;
beforeAll(async () => {
  ca = await makeTestCa(DEVICES);
  key = await makeTokenKey();
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

const URL = "https://github.com/acme/access-requests/issues";

describe("at live", () => {
  it("links each device to the issuance comment holding its JWE, and shows the decrypt command", async () => {
    const [started, n] = await requestInTokens(ca, key, DEVICES);
    s = started;
    // Two parts: gw-1 and gw-2 in the first comment, gw-3 in the second.
    const [first, second] = await tokenRun(s, n, key, 777, DEVICES, { parts: 2 });
    expect(s.record(n).stage).toBe("live");
    expect(s.record(n).issuance.map((t) => t.comment)).toEqual([first!.id, first!.id, second!.id]);
    const body = s.gh.statusComment(n)!.body;
    expect(body).toContain("| Device | Token expires | Encrypted token (JWE) |");
    expect(body).toMatch(
      new RegExp(`\\| gw\\\\-1 \\| [^|]+ \\| \\[issuance comment\\]\\(${URL}/${n}#issuecomment-${first!.id}\\) \\|`),
    );
    expect(body).toMatch(
      new RegExp(`\\| gw\\\\-3 \\| [^|]+ \\| \\[issuance comment\\]\\(${URL}/${n}#issuecomment-${second!.id}\\) \\|`),
    );
    // The decrypt command is shown once, next to the tokens, in the issuance comment.
    expect(body).toContain("with the command its issuance comment shows next to the tokens");
    expect(body).not.toContain("decrypt-token");
  });

  it("shows the pending parts of one run as one row", async () => {
    const [started, n] = await requestInTokens(ca, key, DEVICES);
    s = started;
    await tokenRun(s, n, key, 778, DEVICES, { parts: 3, inProgress: true });
    const rows = s.gh
      .statusComment(n)!
      .body.split("\n")
      .filter((l) => l.includes("pending confirmation"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(
      /^\| 3 comments, from \[the first\]\([^)]+\) \| \[778\]\([^)]+\) \| 3 \| ⏳ pending confirmation/,
    );
  });
});
