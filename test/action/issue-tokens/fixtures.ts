import { createHash } from "node:crypto";
import { recordSchema, type AccessRecord, type CertificateRecord } from "../../../src/record/index.js";

/** Requests and records for the token-mode tests. */
export const REPOSITORY = "Codertocat/Hello-World";
export const REQUEST = 7;
export const REQUESTER = "octocat";
export const REVIEWER = "reviewer-1";
export const APP_LOGIN = "onerecord-access[bot]";
export const REQUEST_SHA = "5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
export const ISSUE_URL = `https://github.com/${REPOSITORY}/issues/${REQUEST}`;

/**
 * One entry of `GET /repos/{o}/{r}/commits` for a ledger commit: by default made by the app
 * (authored and committed by its bot, signature verified by GitHub), as the contents API makes it.
 */
export function ledgerCommit(sha: string, by = APP_LOGIN, verified = true) {
  return {
    sha,
    author: { login: by, type: by.endsWith("[bot]") ? "Bot" : "User" },
    committer: { login: by, type: by.endsWith("[bot]") ? "Bot" : "User" },
    commit: { verification: { verified, reason: verified ? "valid" : "unsigned" } },
  };
}

const at = (day: number) => new Date(Date.UTC(2026, 5, day)).toISOString();

/** "AB:CD:…" SHA-256 of a DER, as the library and the record spell fingerprints. */
export function fingerprintOf(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)!.join(":");
}

/** A made-up fingerprint for pure tests that need no certificate. */
export function fakeFingerprint(seed: string): string {
  return fingerprintOf(new TextEncoder().encode(seed));
}

export function certificateRecord(
  device: string,
  fingerprintSha256: string | null,
  overrides: Partial<CertificateRecord> = {},
): CertificateRecord {
  return {
    device,
    path: `certificates/${REQUEST}/${device}.pem`,
    fingerprintSha256,
    pr: 12,
    mergedCommit: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
    mergedAt: at(3),
    verdict: "valid",
    errors: [],
    notAfter: "2099-01-01T00:00:00.000Z",
    ...overrides,
  };
}

/** A request at stage `tokens`: certified by a reviewer, every device with a valid merged certificate. */
export function tokensRecord(
  devices: Array<{ device: string; fingerprintSha256: string; notAfter?: string }>,
  overrides: Partial<AccessRecord> = {},
): AccessRecord {
  return recordSchema.parse({
    version: 1,
    repository: REPOSITORY,
    issue: REQUEST,
    issueUrl: ISSUE_URL,
    requester: REQUESTER,
    writer: APP_LOGIN,
    stage: "tokens",
    checklist: ["stage-testing", "legal-agreements", "account-review", "network-review"].map((item) => ({
      item,
      by: REVIEWER,
      at: at(1),
      url: `${ISSUE_URL}#issuecomment-1`,
    })),
    certification: { by: REVIEWER, at: at(2), url: `${ISSUE_URL}#issuecomment-2`, requestSha256: REQUEST_SHA },
    hold: null,
    rejection: null,
    reissueRequested: [],
    transitions: [],
    request: {
      account: "acme-health",
      contact: "ops@acme.example",
      devices: devices.map((d) => d.device),
      certificateOption: 1,
      networkPaths: ["203.0.113.0/24"],
      sha256: REQUEST_SHA,
    },
    form: { at: at(1), bodySha256: "f".repeat(64), valid: true, problems: [], applied: true },
    formLog: [],
    commands: [],
    ignored: [],
    pullRequests: [
      { number: 12, url: `https://github.com/${REPOSITORY}/pull/12`, state: "merged", at: at(3), mergedAt: at(3) },
    ],
    certificates: devices.map((d) =>
      certificateRecord(d.device, d.fingerprintSha256, d.notAfter ? { notAfter: d.notAfter } : {}),
    ),
    issuance: [],
    ...overrides,
  });
}

/** The app's status comment as the REST API lists it. */
export function statusComment(id: number, body: string, login = APP_LOGIN, type = "Bot") {
  return { id, body, user: { login, type }, htmlUrl: `${ISSUE_URL}#issuecomment-${id}` };
}

/** Every 20-character run of a secret (its base64 body joined): none may show anywhere. */
export function secretRuns(pem: string, width = 20): string[] {
  const body = pem
    .split(/\r?\n/)
    .filter((line) => line && !line.startsWith("-----"))
    .join("");
  const runs: string[] = [];
  for (let i = 0; i + width <= body.length; i++) runs.push(body.slice(i, i + width));
  return runs;
}
