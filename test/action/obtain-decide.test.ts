import { describe, expect, it } from "vitest";
import { decideObtain, type ObtainInput } from "../../action/obtain-certificates/2-decide.js";
import type { AccessRecord } from "../../src/record/index.js";
import { REPOSITORY, REQUEST, REQUESTER, tokensRecord } from "./issue-tokens/fixtures.js";

/** Step 2 of mode obtain-certificates (issue 20, option 2): pure, from the signed record only. */
const KEY = { kty: "EC" as const, crv: "P-256" as const, x: "x", y: "y" };
const WORKFLOW = ".github/workflows/obtain-certificates.yml";

function input(record: AccessRecord, overrides: Partial<ObtainInput> = {}): ObtainInput {
  return {
    request: REQUEST,
    repository: REPOSITORY,
    issue: { author: REQUESTER, isPullRequest: false } as ObtainInput["issue"],
    record: { found: true, record, kid: "k", source: "ledger" },
    run: {
      eventName: "workflow_dispatch",
      ref: "refs/heads/main",
      refType: "branch",
      defaultBranch: "main",
      workflowPath: WORKFLOW,
    },
    workflow: WORKFLOW,
    configured: true,
    pathPattern: "certificates/{request}/{device}.pem",
    ...overrides,
  };
}

function optionTwo(
  request: Partial<NonNullable<AccessRecord["request"]>> = {},
  rest: Partial<AccessRecord> = {},
): AccessRecord {
  const base = tokensRecord([], { stage: "certificates", ...rest });
  return {
    ...base,
    request: { ...base.request!, devices: ["gw-1", "gw-2"], certificateOption: 2, deliveryKey: KEY, ...request },
  };
}

const codes = (d: ReturnType<typeof decideObtain>) => (d.kind === "refuse" ? d.reasons.map((r) => r.code) : []);

describe("decideObtain", () => {
  it("obtains every device without a valid certificate, with the approved delivery key", () => {
    expect(decideObtain(input(optionTwo()))).toEqual({
      kind: "obtain",
      account: "acme-health",
      deliveryKey: KEY,
      devices: [
        { device: "gw-1", path: `certificates/${REQUEST}/gw-1.pem` },
        { device: "gw-2", path: `certificates/${REQUEST}/gw-2.pem` },
      ],
    });
  });

  it("refuses a run that is not the configured workflow, by hand, on the default branch", () => {
    const run = {
      eventName: "push",
      ref: "refs/heads/x",
      refType: "branch",
      defaultBranch: "main",
      workflowPath: ".github/workflows/other.yml",
    };
    expect(codes(decideObtain(input(optionTwo(), { run })))).toEqual(["wrong-run", "wrong-run", "wrong-run"]);
    expect(codes(decideObtain(input(optionTwo(), { configured: false })))).toEqual(["not-configured"]);
  });

  it("refuses option 1, a missing delivery key, an unapproved or self-approved request, a rejected one", () => {
    expect(codes(decideObtain(input(optionTwo({ certificateOption: 1 }))))).toEqual(["not-option-2"]);
    expect(codes(decideObtain(input(optionTwo({ deliveryKey: undefined }))))).toEqual(["no-delivery-key"]);
    expect(codes(decideObtain(input(optionTwo({}, { certification: null }))))).toEqual(["not-certified"]);
    const self = optionTwo();
    self.certification = { ...self.certification!, by: REQUESTER };
    expect(codes(decideObtain(input(self)))).toContain("self-approved");
    expect(codes(decideObtain(input(optionTwo({}, { stage: "rejected" }))))).toEqual(["rejected"]);
  });
});

describe("decideObtain after live (renewal)", () => {
  it("orders again a device whose certificate the expiry watch reminded is due, once, not the others", () => {
    const record = optionTwo({}, { stage: "live" });
    const print = (d: string) => d.padEnd(64, "0").replace(/[^0-9a-f]/g, "a");
    record.certificates = ["gw-1", "gw-2"].map((device, i) => ({
      device,
      path: `certificates/${REQUEST}/${device}.pem`,
      fingerprintSha256: print(device),
      pr: 10 + i,
      mergedCommit: "c".repeat(40),
      mergedAt: "2026-01-01T00:00:00.000Z",
      verdict: "valid" as const,
      errors: [],
      notAfter: "2027-01-01T00:00:00.000Z",
    }));
    expect(decideObtain(input(record))).toMatchObject({ kind: "nothing" });
    record.reminders = [
      {
        device: "gw-2",
        threshold: 30,
        due: "2027-01-01T00:00:00.000Z",
        at: "2026-12-02T00:00:00.000Z",
        renew: "certificate",
      },
    ];
    expect(decideObtain(input(record))).toMatchObject({ kind: "obtain", devices: [{ device: "gw-2" }] });
    // Obtained and not merged yet: not ordered twice.
    record.obtained = [
      {
        device: "gw-2",
        x5tS256: "B".repeat(43),
        orderUrl: "https://ca.example/o",
        keyJweSha256: "k".repeat(43),
        comment: 1,
        runId: 2,
        at: "2026-12-03T00:00:00.000Z",
      },
    ];
    expect(decideObtain(input(record))).toMatchObject({ kind: "nothing" });
  });
});

describe("the report's comments", () => {
  it("split by size: RSA-sized devices never make a comment over the budget", async () => {
    const { commentChunks, COMMENT_BUDGET } = await import("../../action/obtain-certificates/4-report.js");
    const estimate = (chunk: Array<{ chainPem: string; keyJwe: string }>) =>
      4_000 + chunk.reduce((n, d) => n + d.chainPem.length + 2 * d.keyJwe.length + 600, 0);
    const big = { chainPem: "c".repeat(6_000), keyJwe: "j".repeat(4_000) };
    const chunks = commentChunks(Array.from({ length: 20 }, () => big));
    expect(chunks.flat()).toHaveLength(20);
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 3, 3, 3, 3, 2]);
    for (const chunk of chunks) expect(estimate(chunk)).toBeLessThanOrEqual(COMMENT_BUDGET);
    // Small devices: at most 8 a comment.
    expect(
      commentChunks(Array.from({ length: 9 }, () => ({ chainPem: "c", keyJwe: "j" }))).map((c) => c.length),
    ).toEqual([8, 1]);
  });
});
