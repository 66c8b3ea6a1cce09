import type { AccessRecord } from "../../src/record/schema.js";

export const T = "2026-06-01T10:00:00Z";
export const SUBJECT = { repository: "acme/access-requests", issue: 7 } as const;

/** A small, valid record of request acme/access-requests#7 (the app's shape, not a real one). */
export function sampleRecord(extra: Partial<AccessRecord> = {}): AccessRecord {
  const url = "https://github.com/acme/access-requests/issues/7#issuecomment-1";
  return {
    version: 1,
    repository: SUBJECT.repository,
    issue: SUBJECT.issue,
    issueUrl: "https://github.com/acme/access-requests/issues/7",
    requester: "jane",
    stage: "certification",
    checklist: [{ item: "stage-testing", by: "rita", at: T, url }],
    certification: null,
    hold: null,
    rejection: null,
    reissueRequested: [],
    voidedRuns: [],
    voidedTicks: [],
    reclosed: [],
    transitions: [],
    request: {
      account: "Acme",
      contact: "j@acme.test",
      devices: ["pump-07"],
      certificateOption: 1,
      networkPaths: ["8.8.4.0/24"],
      sha256: "ab".repeat(32),
    },
    form: { at: T, bodySha256: "cd".repeat(32), valid: true, problems: [], applied: true },
    formLog: [{ at: T, bodySha256: "cd".repeat(32), valid: true, applied: true }],
    commands: [],
    ignored: [],
    pullRequests: [],
    certificates: [],
    issuance: [],
    issuanceComments: [],
    integrity: [],
    ...extra,
  };
}
