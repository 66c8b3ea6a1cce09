import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { addExtraCa, type ExtraCaEntry } from "../../src/config/add-extra-ca.js";
import { parseConfigText } from "../../src/config/parse.js";
import { makeRoot, validFor, type Issued } from "../helpers/pki.js";

/**
 * The configuration edit behind the app's "add this CA" pull request (issue 20): the operator's
 * comments, order and flow style kept, the entry explained in comments that cannot break out of
 * them, the result checked by the configuration's own schema.
 */
let root: Issued;
let entry: ExtraCaEntry;
beforeAll(async () => {
  root = await makeRoot({ cn: "Edit Root", ...validFor(3650) });
  entry = {
    brand: "Edit CA",
    fingerprintSha256: new X509Certificate(root.pem).fingerprint256,
    pem: root.pem,
    comment: ["Requested in #5", "Reason: line one\nreviewers: [mallory] # injected\r\u2028x"],
  };
});

describe("addExtraCa", () => {
  it("appends to extraCAs keeping every comment and the flow style, with the entry's comment on comment lines only", () => {
    const text = [
      "# The operator's file",
      "reviewers:",
      "  logins: [rita] # the reviewer",
      "",
      "certificates:",
      "  # pinned by the security team",
      "  warnDays: 30",
      "",
    ].join("\n");
    const r = addExtraCa(text, entry);
    if (!r.ok) throw new Error(r.reason);
    expect(r.text).toContain("# The operator's file\nreviewers:\n  logins: [rita] # the reviewer\n");
    expect(r.text).toContain("  # pinned by the security team\n  warnDays: 30\n");
    expect(r.text).toContain("# Reason: line one reviewers: [mallory] # injected x\n");
    const config = parseConfigText(r.text);
    expect(config.reviewers.logins).toEqual(["rita"]);
    expect(config.certificates.extraCAs).toEqual([
      { brand: "Edit CA", fingerprintSha256: entry.fingerprintSha256, pem: `${root.pem.trim()}\n` },
    ]);
  });

  it("writes a new file when there is none, and refuses a root already listed or a file that is not a mapping", () => {
    const created = addExtraCa(null, entry);
    if (!created.ok) throw new Error(created.reason);
    expect(parseConfigText(created.text).certificates.extraCAs).toHaveLength(1);
    expect(addExtraCa(created.text, entry)).toMatchObject({ ok: false, code: "already-listed" });
    expect(addExtraCa("- a list\n", entry)).toMatchObject({ ok: false, code: "config-unreadable" });
    expect(addExtraCa("certificates: [1]\n", entry)).toMatchObject({ ok: false, code: "config-unreadable" });
    expect(addExtraCa("a: [\n", entry)).toMatchObject({ ok: false, code: "config-unreadable" });
  });

  it("refuses an entry whose pin does not match its certificate (the schema's own check)", () => {
    // Another first digit (a fixed "00" was no change for the 1 in 256 roots whose pin starts so).
    const other = entry.fingerprintSha256.startsWith("0") ? "1" : "0";
    const wrong = { ...entry, fingerprintSha256: other + entry.fingerprintSha256.slice(1) };
    expect(addExtraCa("reviewers:\n  logins: [rita]\n", wrong)).toMatchObject({ ok: false, code: "result-invalid" });
  });
});
