import { describe, expect, it } from "vitest";
import {
  parseObtainedComment,
  signObtainedProof,
  verifyObtainedProof,
  writeObtainedBlock,
  type ObtainedBlock,
} from "../../src/record/obtained-comment.js";
import { loadSigningKey } from "../../src/tokens/index.js";
import { makeLeaf, makeRoot, signingSecret, validFor } from "../helpers/pki.js";

/** The obtain workflow's report (issue 20, option 2): a hidden block the app acts on only with a valid proof. */
async function block(): Promise<Omit<ObtainedBlock, "proof">> {
  const root = await makeRoot({ cn: "Obtained Root", ...validFor(3650) });
  const leaf = await makeLeaf(root, { cn: "gw-1", ...validFor(365) });
  return {
    version: 1,
    repository: "acme/access-requests",
    request: 7,
    runId: 55,
    runAttempt: 1,
    workflow: ".github/workflows/obtain-certificates.yml",
    ref: "refs/heads/main",
    sha: "a".repeat(40),
    obtainedAt: "2026-12-07T10:00:00Z",
    obtained: [
      {
        device: "gw-1",
        path: "certificates/7/gw-1.pem",
        identifier: "gw-1.acme.devices.example.com",
        orderUrl: "https://ca.example/order/1",
        x5tS256: "A".repeat(43),
        chainPem: `${leaf.pem.trim()}\n${root.pem.trim()}\n`,
        keyJwe: "eyJhbGciOiJFQ0RILUVTIn0..aXY.Y2lwaGVy.dGFn",
      },
    ],
  };
}

describe("the obtained-certificates block", () => {
  it("round-trips, and its proof verifies only over the very content", async () => {
    const key = await loadSigningKey(signingSecret("ES256").pem);
    const other = await loadSigningKey(signingSecret("RS256").pem);
    const content = await block();
    const signed = { ...content, proof: await signObtainedProof(content, key) };
    const body = `${writeObtainedBlock(signed)}\n\nCertificates obtained.`;
    const parsed = parseObtainedComment(body);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.block).toEqual(signed);
    expect(await verifyObtainedProof(parsed.block, key.jwks)).toEqual({ ok: true });
    expect(await verifyObtainedProof(parsed.block, other.jwks)).toMatchObject({ ok: false });
    // Another key delivered under the same proof: refused.
    const swapped = {
      ...signed,
      obtained: [{ ...signed.obtained[0]!, keyJwe: "eyJhbGciOiJFQ0RILUVTIn0..aXY.b3RoZXI.dGFn" }],
    };
    expect(await verifyObtainedProof(swapped, key.jwks)).toMatchObject({ ok: false, reason: /other content/ });
    expect(await verifyObtainedProof(content as ObtainedBlock, key.jwks)).toMatchObject({
      ok: false,
      reason: /no proof/,
    });
  });

  it("refuses a chain holding a private key, a block listing a device twice, and a block that is not one", async () => {
    const content = await block();
    const entry = content.obtained[0]!;
    const withKey = {
      ...content,
      obtained: [
        { ...entry, chainPem: `${entry.chainPem}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n` },
      ],
    };
    expect(() => writeObtainedBlock(withKey)).toThrow(/chainPem/);
    expect(() => writeObtainedBlock({ ...content, obtained: [entry, { ...entry }] })).toThrow(/twice/);
    expect(parseObtainedComment("hello")).toMatchObject({ ok: false, found: false });
    expect(parseObtainedComment("<!-- onerecord-access:obtained {} -->")).toMatchObject({ ok: false, found: true });
  });
});
