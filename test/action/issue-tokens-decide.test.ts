import { describe, expect, it } from "vitest";
import { decide, type DecideInput, type Decision } from "../../action/issue-tokens/2-decide.js";
import { thumbprintFromFingerprint, type AccessRecord } from "../../src/record/index.js";
import {
  certificateRecord,
  fakeFingerprint,
  REPOSITORY,
  REQUEST,
  REQUESTER,
  REVIEWER,
  tokensRecord,
} from "./issue-tokens/fixtures.js";

/** Step 2, the pure decision: every refusal, what is issued, and when nothing is. */
const NOW = new Date("2026-11-28T12:00:00Z");
const A = fakeFingerprint("device-a");
const B = fakeFingerprint("device-b");
const devices = [
  { device: "pump-01", fingerprintSha256: A },
  { device: "pump-02", fingerprintSha256: B },
];

function input(record: AccessRecord | null, overrides: Partial<DecideInput> = {}): DecideInput {
  return {
    request: REQUEST,
    repository: REPOSITORY,
    issue: { number: REQUEST, author: REQUESTER, isPullRequest: false },
    record: record
      ? { found: true, record, kid: "k".repeat(43), source: "records/7.json on branch onerecord-access/records" }
      : { found: false, code: "no-record", reason: "there is no file records/7.json" },
    run: {
      eventName: "workflow_dispatch",
      ref: "refs/heads/main",
      refType: "branch",
      defaultBranch: "main",
      workflowPath: ".github/workflows/issue-tokens.yml",
    },
    workflow: ".github/workflows/issue-tokens.yml",
    now: NOW,
    ...overrides,
  };
}

function codes(decision: Decision): string[] {
  expect(decision.kind).toBe("refuse");
  return decision.kind === "refuse" ? decision.reasons.map((r) => r.code) : [];
}

function messages(decision: Decision): string {
  return decision.kind === "refuse" ? decision.reasons.map((r) => r.message).join("\n") : "";
}

describe("decide: issuing", () => {
  it("issues a token for every device of a certified request at stage tokens, bound to the recorded certificates", () => {
    const decision = decide(input(tokensRecord(devices)));
    expect(decision).toEqual({
      kind: "issue",
      account: "acme-health",
      certificates: [
        {
          device: "pump-01",
          path: "certificates/7/pump-01.pem",
          fingerprintSha256: A,
          x5tS256: thumbprintFromFingerprint(A),
        },
        {
          device: "pump-02",
          path: "certificates/7/pump-02.pem",
          fingerprintSha256: B,
          x5tS256: thumbprintFromFingerprint(B),
        },
      ],
      issue: expect.any(Array),
    });
    if (decision.kind === "issue") expect(decision.issue.map((p) => p.device)).toEqual(["pump-01", "pump-02"]);
  });

  it("issues only what is missing: a device that holds a token bound to its current certificate gets none", () => {
    const record = tokensRecord(devices, {
      issuance: [
        {
          device: "pump-01",
          jti: "j-1",
          x5tS256: thumbprintFromFingerprint(A),
          expiresAt: "2027-11-28T12:00:00.000Z",
          runUrl: "https://github.com/r/1",
          at: "2026-06-04T00:00:00Z",
        },
      ],
    });
    const decision = decide(input(record));
    expect(decision.kind).toBe("issue");
    if (decision.kind === "issue") expect(decision.issue.map((p) => p.device)).toEqual(["pump-02"]);
  });

  it("running again after the issuance is recorded issues nothing", () => {
    const issuance = devices.map((d, i) => ({
      device: d.device,
      jti: `j-${i}`,
      x5tS256: thumbprintFromFingerprint(d.fingerprintSha256),
      expiresAt: "2027-11-28T12:00:00.000Z",
      runUrl: "https://github.com/r/1",
      at: "2026-06-04T00:00:00Z",
    }));
    // The app moves the request to live once it accepted the issuance...
    expect(decide(input(tokensRecord(devices, { stage: "live", issuance })))).toEqual({
      kind: "nothing",
      reason: expect.stringMatching(/no reissue was asked/),
    });
    // ...and even before it has, the issuance in the record is enough.
    expect(decide(input(tokensRecord(devices, { issuance })))).toEqual({
      kind: "nothing",
      reason: expect.stringMatching(/nothing to issue/),
    });
  });

  it("reissues exactly the devices a reviewer asked for, also once the request is live", () => {
    const issuance = devices.map((d, i) => ({
      device: d.device,
      jti: `j-${i}`,
      x5tS256: thumbprintFromFingerprint(d.fingerprintSha256),
      expiresAt: "2027-11-28T12:00:00.000Z",
      runUrl: "https://github.com/r/1",
      at: "2026-06-04T00:00:00Z",
    }));
    const reissueRequested = [
      {
        device: "pump-02",
        reason: "device replaced",
        by: REVIEWER,
        at: "2026-07-01T00:00:00Z",
        url: "https://github.com/x#issuecomment-9",
      },
    ];
    const decision = decide(input(tokensRecord(devices, { stage: "live", issuance, reissueRequested })));
    expect(decision.kind).toBe("issue");
    if (decision.kind === "issue") {
      expect(decision.issue.map((p) => p.device)).toEqual(["pump-02"]);
      // Every device's certificate is still checked again, not only the reissued one.
      expect(decision.certificates.map((p) => p.device)).toEqual(["pump-01", "pump-02"]);
    }
  });
});

describe("decide: refusals", () => {
  it("no record", () => {
    const decision = decide(input(null));
    expect(codes(decision)).toEqual(["no-record"]);
    expect(messages(decision)).toMatch(/no file records\/7\.json/);
  });

  it.each(["records-unconfigured", "no-record", "record-unverified"] as const)(
    "a record step 1 could not verify (%s) is refused with that code, after the run's own problems",
    (code) => {
      const decision = decide({
        ...input(null, { run: { ...input(null).run, eventName: "push" } }),
        record: { found: false, code, reason: `reason of ${code}` },
      });
      expect(codes(decision)).toEqual(["wrong-run", code]);
      expect(messages(decision)).toContain(`reason of ${code}`);
    },
  );

  it("a verified record of another issue is still refused (the decision does not trust its caller)", () => {
    const decision = decide(input(tokensRecord(devices, { issue: REQUEST + 1 })));
    expect(codes(decision)).toEqual(["record-mismatch"]);
    expect(messages(decision)).toMatch(/the ledger holds the record of .*#8, not of .*#7/);
  });

  it("certification not approved", () => {
    const decision = decide(input(tokensRecord(devices, { certification: null })));
    expect(codes(decision)).toEqual(["not-certified"]);
    expect(messages(decision)).toMatch(/\/approve-certification/);
  });

  it("certification approved by the requester, checked against the issue's author", () => {
    const self = tokensRecord(devices, {
      certification: {
        by: "OctoCat",
        at: "2026-06-02T00:00:00Z",
        url: "https://github.com/x#issuecomment-2",
        requestSha256: tokensRecord(devices).request!.sha256,
      },
    });
    expect(codes(decide(input(self)))).toEqual(["self-approved"]);
  });

  it("compares people by user id: a requester who renamed their account and approved is caught", () => {
    const base = tokensRecord(devices);
    const url = "https://github.com/x#issuecomment-42";
    const renamed = tokensRecord(devices, {
      requesterId: 501,
      certification: { by: "octo-renamed", at: "2026-06-02T00:00:00Z", url, requestSha256: base.request!.sha256 },
      commands: [
        {
          comment: 42,
          index: 0,
          by: "octo-renamed",
          byId: 501,
          at: "2026-06-02T00:00:00Z",
          name: "approve-certification",
          args: "",
          reviewer: true,
          outcome: "accepted",
          requestSha256: base.request!.sha256,
        },
      ],
    });
    const issue = { number: REQUEST, author: REQUESTER, authorId: 501, isPullRequest: false };
    expect(codes(decide(input(renamed, { issue })))).toEqual(["self-approved"]);
    // The requester renamed: the issue's author login is new, the id the same — still the requester.
    const moved = { ...issue, author: "octocat-2026" };
    expect(decide(input(tokensRecord(devices, { requesterId: 501 }), { issue: moved })).kind).toBe("issue");
  });

  it("a record whose requester is not the issue's author is not trusted to say who approved", () => {
    // The approver opened the issue; a record naming someone else as requester must not hide it.
    const decision = decide(
      input(tokensRecord(devices), { issue: { number: REQUEST, author: REVIEWER, isPullRequest: false } }),
    );
    expect(codes(decision)).toEqual(["record-mismatch"]);
    expect(messages(decision)).toMatch(/opened by reviewer-1/);
  });

  it("a record of another issue or repository", () => {
    expect(codes(decide(input(tokensRecord(devices, { issue: 8 }))))).toEqual(["record-mismatch"]);
    expect(codes(decide(input(tokensRecord(devices, { repository: "someone/else" }))))).toEqual(["record-mismatch"]);
  });

  it("an approval of another version of the request", () => {
    const record = tokensRecord(devices);
    expect(
      codes(decide(input({ ...record, certification: { ...record.certification!, requestSha256: "0".repeat(64) } }))),
    ).toEqual(["request-changed"]);
  });

  it("on hold", () => {
    const decision = decide(
      input(
        tokensRecord(devices, {
          hold: {
            by: REVIEWER,
            at: "2026-06-05T00:00:00Z",
            url: "https://github.com/x#issuecomment-5",
            reason: "legal review",
          },
        }),
      ),
    );
    expect(codes(decision)).toEqual(["on-hold"]);
    expect(messages(decision)).toMatch(/legal review.*\/unhold/);
  });

  it("rejected", () => {
    const rejection = {
      by: REVIEWER,
      at: "2026-06-05T00:00:00Z",
      url: "https://github.com/x#issuecomment-5",
      reason: "no BAA",
    };
    expect(codes(decide(input(tokensRecord(devices, { stage: "rejected", rejection }))))).toEqual(["rejected"]);
  });

  it.each(["requested", "certification", "certificates"] as const)("stage %s", (stage) => {
    expect(codes(decide(input(tokensRecord(devices, { stage }))))).toEqual(["wrong-stage"]);
  });

  it("a record from before the account id field (its account is prose, not an id)", () => {
    const record = tokensRecord(devices);
    const old = { ...record, request: { ...record.request!, account: "Acme Health, account acme-health" } };
    const decision = decide(input(old));
    expect(codes(decision)).toEqual(["account-not-an-id"]);
    expect(messages(decision)).toMatch(/OneRecord account id.*\/revoke-certification/);
  });

  it("a request with no devices", () => {
    const record = tokensRecord(devices);
    expect(codes(decide(input({ ...record, request: { ...record.request!, devices: [] }, certificates: [] })))).toEqual(
      ["no-devices"],
    );
  });

  it("missing certificate: none merged, or the merged file was removed", () => {
    const none = tokensRecord(devices);
    expect(
      codes(decide(input({ ...none, certificates: none.certificates.filter((c) => c.device !== "pump-02") }))),
    ).toEqual(["certificate-missing"]);
    const removed = certificateRecord("pump-02", null, {
      pr: 13,
      mergedAt: "2026-06-10T00:00:00Z",
      verdict: "invalid",
      errors: [{ code: "removed", message: "the certificate file was removed in #13" }],
    });
    expect(codes(decide(input({ ...none, certificates: [...none.certificates, removed] })))).toEqual([
      "certificate-missing",
    ]);
  });

  it("duplicate certificate for a device: two merged files that no merge removed", () => {
    const record = tokensRecord(devices);
    const second = certificateRecord("pump-02", fakeFingerprint("second"), {
      path: "certificates/7/PUMP-02.pem",
      pr: 13,
      mergedAt: "2026-06-10T00:00:00Z",
    });
    const decision = decide(input({ ...record, certificates: [...record.certificates, second] }));
    expect(codes(decision)).toEqual(["certificate-duplicate"]);
    expect(messages(decision)).toMatch(/certificates\/7\/PUMP-02\.pem, certificates\/7\/pump-02\.pem/);
  });

  it("a replaced certificate at the same path is not a duplicate: the latest merge counts", () => {
    const record = tokensRecord(devices);
    const replaced = certificateRecord("pump-02", fakeFingerprint("new"), { pr: 13, mergedAt: "2026-06-10T00:00:00Z" });
    const decision = decide(input({ ...record, certificates: [...record.certificates, replaced] }));
    expect(decision.kind).toBe("issue");
    if (decision.kind === "issue") expect(decision.certificates[1]!.fingerprintSha256).toBe(fakeFingerprint("new"));
  });

  it("one certificate for two devices", () => {
    expect(
      codes(
        decide(
          input(
            tokensRecord([
              { device: "pump-01", fingerprintSha256: A },
              { device: "pump-02", fingerprintSha256: A },
            ]),
          ),
        ),
      ),
    ).toEqual(["certificate-duplicate"]);
  });

  it("an invalid merged certificate", () => {
    const record = tokensRecord(devices);
    const bad = {
      ...record.certificates[1]!,
      verdict: "invalid" as const,
      errors: [{ code: "untrusted-root", message: "no approved CA" }],
    };
    const decision = decide(input({ ...record, certificates: [record.certificates[0]!, bad] }));
    expect(codes(decision)).toEqual(["certificate-invalid"]);
    expect(messages(decision)).toMatch(/untrusted-root/);
  });

  it("a certificate that has expired by now", () => {
    const decision = decide(
      input(tokensRecord([devices[0]!, { ...devices[1]!, notAfter: "2026-11-01T00:00:00.000Z" }])),
    );
    expect(codes(decision)).toEqual(["certificate-expired"]);
    expect(messages(decision)).toMatch(/pump-02.*expired at 2026-11-01/);
  });

  it("a run that is not a manual run of the configured workflow on the default branch", () => {
    const record = tokensRecord(devices);
    const base = input(record).run;
    expect(codes(decide(input(record, { run: { ...base, eventName: "push" } })))).toEqual(["wrong-run"]);
    expect(codes(decide(input(record, { run: { ...base, ref: "refs/heads/feature" } })))).toEqual(["wrong-run"]);
    expect(codes(decide(input(record, { run: { ...base, defaultBranch: "" } })))).toEqual(["wrong-run"]);
    // A tag named like the default branch: GitHub says so in GITHUB_REF_TYPE, whatever the name.
    expect(codes(decide(input(record, { run: { ...base, refType: "tag" } })))).toEqual(["wrong-run"]);
    expect(codes(decide(input(record, { run: { ...base, refType: "" } })))).toEqual(["wrong-run"]);
    expect(codes(decide(input(record, { run: { ...base, workflowPath: ".github/workflows/other.yml" } })))).toEqual([
      "wrong-run",
    ]);
  });

  it("an issuance report the app has not confirmed yet (its run had not completed): no second token meanwhile", () => {
    const pending = {
      comment: 12,
      runId: 4242,
      part: 1,
      runAttempt: 1,
      accepted: false,
      pending: true,
      reason: "run 4242 (attempt 1) is in_progress",
      tokens: 2,
    };
    const decision = decide(input(tokensRecord(devices, { issuanceComments: [pending] })));
    expect(codes(decision)).toEqual(["issuance-pending"]);
    expect(messages(decision)).toMatch(/run 4242 is not confirmed by the app yet/);
    // Refused and accepted reports are final: they block nothing.
    const refused = {
      comment: 13,
      runId: 4243,
      part: 1,
      accepted: false,
      reason: "run 4243 (attempt 1) ended with failure",
    };
    expect(decide(input(tokensRecord(devices, { issuanceComments: [refused] }))).kind).toBe("issue");
  });

  it("a pull request number", () => {
    expect(
      codes(
        decide(input(tokensRecord(devices), { issue: { number: REQUEST, author: REQUESTER, isPullRequest: true } })),
      ),
    ).toEqual(["not-a-request"]);
  });

  it("reports every reason at once", () => {
    const record = tokensRecord(devices, { stage: "certificates", certification: null });
    expect(codes(decide(input(record, { run: { ...input(record).run, eventName: "push" } })))).toEqual([
      "wrong-run",
      "wrong-stage",
      "not-certified",
    ]);
  });

  it("labels are not an input: the decision reads the record only", () => {
    // DecideInput has no labels at all; the pipeline test shows hand-set labels on the issue change nothing.
    expect(Object.keys(input(tokensRecord(devices)))).not.toContain("labels");
    expect(Object.keys(input(tokensRecord(devices)).issue)).toEqual(["number", "author", "isPullRequest"]);
  });
});
