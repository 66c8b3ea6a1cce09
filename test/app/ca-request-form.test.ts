import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { caForm } from "../../src/app/ca-request/form.js";
import { describe, expect, it } from "vitest";
import { parseCaForm } from "../../src/app/ca-request/parse.js";
import { caBody } from "./helpers/ca-form.js";
import { makeLeaf, makeRoot, privateKeySamples, validFor } from "../helpers/pki.js";

/**
 * The *Add a certificate authority* form read and checked (issue 20, part 2): the root judged,
 * a leaf, two certificates, garbage or a key refused clearly, a private key never quoted.
 */
const options = { at: new Date(), extraCAs: [] };

describe("parseCaForm", () => {
  it("the committed issue template is the form the app parses against", () => {
    const file = readFileSync(
      resolve(import.meta.dirname, "../../.github/ISSUE_TEMPLATE/add-certificate-authority.yml"),
      "utf8",
    );
    expect(parse(file)).toEqual(JSON.parse(JSON.stringify(caForm)));
  });

  it("reads a valid request, with the root judged acceptable and its fingerprint", async () => {
    const root = await makeRoot({ cn: "Example Root", ...validFor(3650) });
    const r = parseCaForm(caBody({ "root-certificate": root.pem }), options);
    expect(r).toMatchObject({
      recognized: true,
      valid: true,
      request: {
        name: "Example Trust Services",
        publishedAt: "https://pki.example.com/roots/",
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      judged: { verdict: "acceptable", subject: expect.stringMatching(/Example Root/) },
    });
  });

  it("refuses a leaf, two certificates, garbage, a plain-http address and a missing reason, by field", async () => {
    const root = await makeRoot({ cn: "R", ...validFor(3650) });
    const leaf = await makeLeaf(root, { cn: "gw-1", ...validFor(300) });
    const problems = (values: Parameters<typeof caBody>[0]) => {
      const r = parseCaForm(caBody(values), options);
      return r.recognized ? r.problems.map((p) => `${p.field}: ${p.message}`) : ["not recognized"];
    };
    expect(problems({ "root-certificate": leaf.pem })).toEqual([
      expect.stringMatching(/^root-certificate: .*not a CA certificate.*\(not-a-ca\)$/),
    ]);
    expect(problems({ "root-certificate": `${root.pem}\n${leaf.pem}` })).toEqual([
      expect.stringMatching(/\(not-one-certificate\)$/),
    ]);
    expect(problems({ "root-certificate": "my root" })).toEqual([expect.stringMatching(/\(not-a-certificate\)$/)]);
    expect(problems({ "root-certificate": root.pem, "published-at": "http://pki.example.com/" })).toEqual([
      expect.stringMatching(/^published-at: .*must be an https address/),
    ]);
    expect(problems({ "root-certificate": root.pem, reason: "" })).toEqual([
      expect.stringMatching(/^reason: .*is missing/),
    ]);
  });

  it("refuses a private key pasted anywhere, quoting nothing of it", () => {
    for (const sample of privateKeySamples().filter((k) => !/DER/.test(k.label))) {
      const text = Buffer.from(sample.bytes).toString("utf8");
      for (const field of ["root-certificate", "reason"] as const) {
        const r = parseCaForm(caBody({ [field]: text }), options);
        expect(r.recognized && r.problems.map((p) => p.message), sample.label).toEqual([
          expect.stringMatching(/holds a private key/),
        ]);
        for (const secret of sample.secrets) expect(JSON.stringify(r)).not.toContain(secret);
      }
    }
  });

  it("takes no other issue for such a request", () => {
    expect(parseCaForm("Hello, please add our CA.", options)).toEqual({ recognized: false });
  });
});
