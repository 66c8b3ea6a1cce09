import { describe, expect, it } from "vitest";
import { certificatePath, mergeOf, rejudgeNeeded, type CommitPull } from "../../src/app/certificates/rejudge.js";
import type { AccessRecord, RequestContent } from "../../src/record/schema.js";

/** The pure decisions of a rebuild's certificates (src/app/certificates/rejudge.ts); the flow is test/app/rebuild-certificates.test.ts. */
const pull = (over: Partial<CommitPull> = {}): CommitPull => ({
  number: 50,
  url: "https://github.com/acme/access-requests/pull/50",
  mergedAt: "2026-01-02T00:00:00Z",
  mergeCommit: "a".repeat(40),
  base: "main",
  ...over,
});

describe("the merge behind a commit", () => {
  it("is a PR merged into the default branch, the earliest if several", () => {
    expect(mergeOf([pull()], "main")?.number).toBe(50);
    expect(
      mergeOf([pull({ number: 60, mergedAt: "2026-01-03T00:00:00Z" }), pull({ number: 51 })], "main")?.number,
    ).toBe(51);
  });

  it("is none for an open or closed PR, or one merged into another branch", () => {
    expect(mergeOf([], "main")).toBeNull();
    expect(mergeOf([pull({ mergedAt: null, mergeCommit: null })], "main")).toBeNull();
    expect(mergeOf([pull({ base: "release" })], "main")).toBeNull();
  });
});

describe("a device's file", () => {
  it("is the pattern filled in, and nothing that would not read back as that device", () => {
    expect(certificatePath("certificates/{request}/{device}.pem", 7, "gw-1")).toBe("certificates/7/gw-1.pem");
    expect(certificatePath("certs/{device}-{request}.pem", 7, "gw-1")).toBe("certs/gw-1-7.pem");
    expect(certificatePath("certificates/{request}/{device}.pem", 7, "../x")).toBeNull();
  });
});

describe("when a rebuild judges the default branch", () => {
  const request = { devices: ["gw-1"] } as unknown as RequestContent;
  const rebuiltRecord = (over: Partial<AccessRecord> = {}) =>
    ({
      request: null,
      pullRequests: [],
      integrity: [{ at: "2026-01-01T00:00:00Z", kind: "lost" }],
      ...over,
    }) as AccessRecord;

  it("is in the rebuild itself, once a request is in effect", () => {
    expect(rejudgeNeeded(true, null, request)).toBe(true);
    expect(rejudgeNeeded(true, null, null)).toBe(false);
  });

  it("is later only for a record rebuilt without a request and without any PR yet", () => {
    expect(rejudgeNeeded(false, rebuiltRecord(), request)).toBe(true);
    expect(rejudgeNeeded(false, rebuiltRecord({ request }), request)).toBe(false);
    expect(
      rejudgeNeeded(false, rebuiltRecord({ pullRequests: [{} as AccessRecord["pullRequests"][0]] }), request),
    ).toBe(false);
    const restored = rebuiltRecord({
      integrity: [{ at: "2026-01-01T00:00:00Z", kind: "deleted", restoredFrom: "c1" }],
    });
    expect(rejudgeNeeded(false, restored, request)).toBe(false);
    expect(rejudgeNeeded(false, rebuiltRecord({ integrity: [] }), request)).toBe(false);
  });
});
