import { describe, expect, it } from "vitest";
import type { IssuanceEntry } from "../../src/record/issuance-comment.js";
import { COMMENT_BUDGET, renderIssuanceComments, type IssuanceRun } from "../../action/issue-tokens/5-deliver.js";
import { renderJobSummary } from "../../action/issue-tokens/summary.js";
import { COMMENT_LIMIT } from "../../src/record/index.js";
import {
  ISSUANCE_MARKER,
  issuanceRecordsFrom,
  parseIssuanceComment,
  signIssuanceProof,
  verifyIssuanceProof,
  writeIssuanceBlock,
  type IssuanceBlock,
} from "../../src/record/issuance-comment.js";
import { loadSigningKey, type SigningKey } from "../../src/tokens/index.js";
import { signingSecret } from "../helpers/pki.js";
import { REPOSITORY, REQUEST } from "./issue-tokens/fixtures.js";

/** The issuance comment: the hidden block (src/record/issuance-comment.ts) and what people read. */
const RUN: IssuanceRun = {
  repository: REPOSITORY,
  request: REQUEST,
  runId: 4242,
  runAttempt: 1,
  runUrl: `https://github.com/${REPOSITORY}/actions/runs/4242`,
  workflow: ".github/workflows/issue-tokens.yml",
  ref: "refs/heads/main",
  sha: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
  issuedAt: "2026-11-28T12:00:00Z",
};
const b64 = (n: number, seed: string) => Buffer.from(seed.repeat(n)).toString("base64url").slice(0, n);
// A JWE-shaped string: five base64url parts. Content is irrelevant to the format.
const fakeJwe = (seed: string, size = 300) =>
  [b64(60, seed), b64(342, seed), b64(16, seed), b64(size, seed), b64(22, seed)].join(".");

function entry(i: number, size?: number): IssuanceEntry {
  return {
    device: `pump-${String(i).padStart(3, "0")}`,
    jti: `6f1c0a52-2f0e-4f0b-9a57-${String(i).padStart(12, "0")}`,
    x5tS256: b64(43, `t${i}`),
    iat: 1_795_867_200,
    exp: 1_827_403_200,
    jwe: fakeJwe(`j${i}`, size),
  };
}

let key: SigningKey | undefined;
const signingKey = async () => (key ??= await loadSigningKey(signingSecret("ES256").pem));

function block(overrides: Partial<IssuanceBlock> = {}): IssuanceBlock {
  return {
    version: 1,
    ...RUN,
    part: 1,
    parts: 1,
    issued: [entry(1), entry(2)].map(({ device, jti, x5tS256, iat, exp, jwe }) => ({
      device,
      jti,
      x5tS256,
      iat,
      exp,
      jwe,
    })),
    ...overrides,
  };
}

describe("the issuance block", () => {
  it("round-trips, first in the comment", () => {
    const body = `${writeIssuanceBlock(block())}\nhello`;
    expect(body.startsWith(ISSUANCE_MARKER)).toBe(true);
    expect(parseIssuanceComment(body)).toEqual({ ok: true, found: true, block: block() });
  });

  it("gives the app its issuance records: in effect when the app says (its run's completion), signed when the run says", () => {
    const expected = {
      device: "pump-001",
      jti: entry(1).jti,
      x5tS256: entry(1).x5tS256,
      expiresAt: new Date(1_827_403_200_000).toISOString(),
      runUrl: RUN.runUrl,
      at: RUN.issuedAt,
      issuedAt: RUN.issuedAt,
      by: "github-actions[bot]",
    };
    expect(issuanceRecordsFrom(block(), { by: "github-actions[bot]" })[0]).toEqual(expected);
    const completed = "2026-11-28T12:05:00Z";
    expect(issuanceRecordsFrom(block(), { by: "github-actions[bot]", at: completed })[0]).toEqual({
      ...expected,
      at: completed,
    });
  });

  it("is not found in other comments, and never throws on bad ones", () => {
    for (const body of [undefined, null, 42, "", "hello", `quoted: ${writeIssuanceBlock(block())}`]) {
      expect(parseIssuanceComment(body)).toMatchObject({ ok: false, found: false });
    }
    const bad = [
      `${ISSUANCE_MARKER}{"version":1`,
      `${ISSUANCE_MARKER}{not json} -->`,
      `${ISSUANCE_MARKER}{"version":2} -->`,
      `${ISSUANCE_MARKER}${JSON.stringify({ ...block(), extra: true })} -->`,
      `${ISSUANCE_MARKER}${JSON.stringify(block({ issued: [{ ...block().issued[0]!, device: "../etc" }] }))} -->`,
      `${ISSUANCE_MARKER}${JSON.stringify(block({ issued: [{ ...block().issued[0]!, jwe: "a.b.c" }] }))} -->`,
      `${ISSUANCE_MARKER}${JSON.stringify(block({ issued: [block().issued[0]!, { ...block().issued[1]!, device: "PUMP-001" }] }))} -->`,
      `${ISSUANCE_MARKER}${JSON.stringify(block({ part: 3, parts: 2 }))} -->`,
      `${ISSUANCE_MARKER}${JSON.stringify(block({ issued: [] }))} -->`,
      `${ISSUANCE_MARKER}${JSON.stringify(block({ workflow: "evil.yml" }))} -->`,
      `${ISSUANCE_MARKER}${"[".repeat(100_000)} -->`,
    ];
    for (const body of bad) {
      const result = parseIssuanceComment(body);
      expect(result).toMatchObject({ ok: false, found: true });
    }
  });

  it("cannot close its HTML comment early", () => {
    const text = writeIssuanceBlock(block({ ref: "refs/heads/a-->b<&" }));
    expect(text.indexOf("-->")).toBe(text.length - 3);
    const parsed = parseIssuanceComment(text);
    expect(parsed.ok && parsed.block.ref).toBe("refs/heads/a-->b<&");
  });

  it("refuses to write a block that does not fit the schema", () => {
    expect(() => writeIssuanceBlock(block({ request: 0 }))).toThrow(/at request/);
  });
});

describe("the proof", () => {
  it("verifies with the published JWKS, and fails for tampering, another key, or no proof", async () => {
    const k = await signingKey();
    const signed = { ...block(), proof: await signIssuanceProof(block(), k) };
    expect(await verifyIssuanceProof(signed, k.jwks)).toEqual({ ok: true });

    const swapped = { ...signed, issued: [signed.issued[0]!, { ...signed.issued[1]!, jwe: fakeJwe("other") }] };
    expect(await verifyIssuanceProof(swapped, k.jwks)).toEqual({
      ok: false,
      reason: expect.stringMatching(/other content/),
    });
    expect(await verifyIssuanceProof({ ...signed, runId: 1 }, k.jwks)).toMatchObject({ ok: false });

    const other = await loadSigningKey(signingSecret("ES256").pem);
    expect(await verifyIssuanceProof(signed, other.jwks)).toEqual({
      ok: false,
      reason: expect.stringMatching(/does not verify/),
    });
    expect(await verifyIssuanceProof(block(), k.jwks)).toEqual({
      ok: false,
      reason: expect.stringMatching(/no proof/),
    });
  });
});

describe("renderIssuanceComments", () => {
  it("writes one comment: the block with its proof, a table, the decrypt command and the JWEs", async () => {
    const k = await signingKey();
    const entries = [entry(1), entry(2)];
    const [body, ...more] = await renderIssuanceComments(RUN, entries, k);
    expect(more).toEqual([]);
    const parsed = parseIssuanceComment(body);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.block).toMatchObject({ ...RUN, part: 1, parts: 1 });
    expect(parsed.block.issued.map((t) => t.jwe)).toEqual(entries.map((e) => e.jwe));
    expect(await verifyIssuanceProof(parsed.block, k.jwks)).toEqual({ ok: true });
    expect(body).toContain(
      `| \`pump-001\` | \`${entries[0]!.jti}\` | \`${entries[0]!.x5tS256}\` | 2027-11-28T12:00:00Z |`,
    );
    expect(body).toContain("```sh\nnode cli/dist/onerecord-access.js decrypt-token --key DEVICE.key JWE\n```");
    expect(body).toContain(`[workflow run 4242](${RUN.runUrl})`);
  });

  it("splits a large request over several comments, each under GitHub's limit and naming its part", async () => {
    const k = await signingKey();
    const entries = Array.from({ length: 120 }, (_, i) => entry(i, 900));
    const bodies = await renderIssuanceComments(RUN, entries, k);
    expect(bodies.length).toBeGreaterThan(1);
    const devices: string[] = [];
    for (const [i, body] of bodies.entries()) {
      expect(body.length).toBeLessThan(COMMENT_LIMIT);
      expect(body.length).toBeLessThan(COMMENT_BUDGET + 5_000);
      const parsed = parseIssuanceComment(body);
      expect(parsed.ok && { part: parsed.block.part, parts: parsed.block.parts }).toEqual({
        part: i + 1,
        parts: bodies.length,
      });
      if (parsed.ok) {
        devices.push(...parsed.block.issued.map((t) => t.device));
        expect(await verifyIssuanceProof(parsed.block, k.jwks)).toEqual({ ok: true });
      }
    }
    expect(devices).toEqual(entries.map((e) => e.device));
  });
});

describe("renderJobSummary", () => {
  it("lists devices, token ids, thumbprints and expiry, never a JWE", () => {
    const entries = [entry(1)];
    const html = renderJobSummary({
      kind: "issued",
      request: REQUEST,
      issued: entries,
      commentUrls: ["https://github.com/x#issuecomment-1"],
      jwks: '{"keys":[{"kty":"EC"}]}',
    });
    expect(html).toContain("<code>pump-001</code>");
    expect(html).toContain(entries[0]!.jti);
    expect(html).not.toContain(entries[0]!.jwe);
    expect(html).not.toContain(entries[0]!.jwe.split(".")[3]!);
  });

  it("escapes what a refusal quotes", () => {
    const html = renderJobSummary({
      kind: "refused",
      request: REQUEST,
      reasons: [{ code: "on-hold", message: "held: <img src=x onerror=alert(1)> | `x`" }],
    });
    expect(html).not.toContain("<img");
    expect(html).toContain("&#60;img src=x onerror=alert&#40;1&#41;&#62;");
  });
});
