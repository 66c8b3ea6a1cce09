import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/parse.js";
import { renderStatusComment } from "../../src/app/render/status.js";
import { COMMENT_LIMIT, findStatusComment, readRecord, STATUS_MARKER, writeRecord } from "../../src/record/codec.js";
import type { AccessRecord, CertificateRecord, CommandRecord, IssuanceRecord } from "../../src/record/schema.js";
import { devicesNeedingTokens, thumbprintFromFingerprint, tokensComplete } from "../../src/record/tokens.js";
import { isOneRecordError } from "../../src/errors.js";
import { acceptIssuance, withCertifyingHistory } from "../helpers/accept-issuance.js";

const T = "2026-06-01T10:00:00Z";

function baseRecord(devices: string[], extra: Partial<AccessRecord> = {}): AccessRecord {
  return {
    version: 1,
    repository: "acme/access-requests",
    issue: 7,
    issueUrl: "https://github.com/acme/access-requests/issues/7",
    requester: "jane",
    stage: "tokens",
    checklist: ["stage-testing", "legal-agreements", "account-review", "network-review"].map((item) => ({
      item,
      by: "rita",
      at: T,
      url: "https://github.com/acme/access-requests/issues/7#issuecomment-1",
    })),
    certification: {
      by: "tom",
      at: T,
      url: "https://github.com/acme/access-requests/issues/7#issuecomment-2",
      requestSha256: "ab".repeat(32),
    },
    hold: null,
    rejection: null,
    reissueRequested: [],
    voidedRuns: [],
    voidedTicks: [],
    reclosed: [],
    transitions: [],
    request: {
      account: "Acme <script>",
      contact: "j@acme.test",
      devices,
      certificateOption: 1,
      networkPaths: ["8.8.4.0/24"],
      sha256: "ab".repeat(32),
    },
    form: { at: T, bodySha256: "cd".repeat(32), valid: true, problems: [], applied: true },
    formLog: [{ at: T, bodySha256: "cd".repeat(32), valid: true, applied: true }],
    commands: [],
    ignored: [],
    pullRequests: [
      {
        number: 50,
        url: "https://github.com/acme/access-requests/pull/50",
        state: "merged",
        at: T,
        mergedAt: T,
        mergedCommit: "a".repeat(40),
      },
    ],
    certificates: [],
    issuance: [],
    issuanceComments: [],
    integrity: [],
    ...extra,
  };
}

function fingerprint(device: string): string {
  return createHash("sha256").update(device).digest("hex").toUpperCase().match(/../g)!.join(":");
}

function certificate(device: string): CertificateRecord {
  return {
    device,
    path: `certificates/7/${device}.pem`,
    fingerprintSha256: fingerprint(device),
    pr: 50,
    mergedCommit: "a".repeat(40),
    mergedAt: T,
    verdict: "valid",
    errors: [],
    notAfter: "2027-06-01T00:00:00.000Z",
  };
}

describe("record codec", () => {
  it("round-trips as JSON that cannot close its HTML comment, and as deflate", () => {
    const record = baseRecord(["a-1"], {
      hold: { by: "rita", at: T, url: "https://x.test/", reason: "--> <!-- /approve-certification" },
    });
    const json = writeRecord(record);
    expect(json.indexOf("-->")).toBe(json.length - 3);
    expect(readRecord(`text\n${json}\n`)).toEqual(record);
    expect(readRecord(writeRecord(record, "deflate"))).toEqual(record);
  });

  it("reads records written before /reissue was renamed, and writes the new name", () => {
    const command = {
      comment: 9,
      index: 0,
      by: "rita",
      at: T,
      name: "reissue-tokens" as const,
      args: "a-1 lost",
      reviewer: true,
      outcome: "accepted" as const,
    };
    const current = writeRecord(
      baseRecord(["a-1"], {
        commands: [command],
        issuanceComments: [{ comment: 5, runId: 41, part: 1, accepted: true }],
      }),
    );
    const old = current.replace('"name":"reissue-tokens"', '"name":"reissue"');
    expect(old).toContain('"name":"reissue"');
    const read = readRecord(old)!;
    expect(read.commands[0]!.name).toBe("reissue-tokens");
    expect(read.issuanceComments).toEqual([{ comment: 5, runId: 41, part: 1, accepted: true }]);
    expect(writeRecord(read)).toBe(current);
    expect(() => readRecord(current.replace('"name":"reissue-tokens"', '"name":"reissue-all"'))).toThrow(
      /commands\.0\.name/,
    );
  });

  it("returns null without a record and refuses a tampered one with a stable code", () => {
    expect(readRecord("just a comment")).toBeNull();
    const json = writeRecord(baseRecord(["a-1"]));
    for (const broken of [
      json.replace('"stage":"tokens"', '"stage":"live!"'),
      json.replace("json:{", "json:{{"),
      json.replace("json:", "zip:"),
      json.slice(0, -4),
      "<!-- onerecord-access:record v1 deflate:AAAA -->",
    ]) {
      let error: unknown;
      try {
        readRecord(broken);
      } catch (e) {
        error = e;
      }
      expect(isOneRecordError(error, "input-invalid"), broken.slice(0, 60)).toBe(true);
    }
  });

  it("finds the status comment by marker and authorship, oldest first", () => {
    const bot = { login: "onerecord-access[bot]", type: "Bot" };
    const comments = [
      { id: 5, body: `${STATUS_MARKER} forged`, user: { login: "mallory", type: "User" } },
      { id: 9, body: `${STATUS_MARKER} second`, user: bot },
      { id: 7, body: `${STATUS_MARKER} first`, user: bot },
      { id: 3, body: "no marker", user: bot },
    ];
    expect(findStatusComment(comments, "onerecord-access[bot]")?.id).toBe(7);
    expect(findStatusComment(comments.slice(0, 1), "onerecord-access[bot]")).toBeUndefined();
  });
});

describe("token bookkeeping", () => {
  it("derives x5t#S256 from the SHA-256 fingerprint", () => {
    const der = Buffer.from("certificate bytes");
    const fp = createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)!.join(":");
    expect(thumbprintFromFingerprint(fp)).toBe(createHash("sha256").update(der).digest("base64url"));
  });

  it("records issuance, moves to live once every device holds a token bound to its certificate", () => {
    const record = withCertifyingHistory(
      baseRecord(["a-1", "a-2"], { certificates: [certificate("a-1"), certificate("a-2")] }),
    );
    expect(devicesNeedingTokens(record)).toEqual(["a-1", "a-2"]);
    const token = (device: string, at = "2026-06-02T00:00:00Z"): IssuanceRecord => ({
      device,
      jti: `jti-${device}-${at}`,
      x5tS256: thumbprintFromFingerprint(fingerprint(device)),
      expiresAt: "2027-06-02T00:00:00Z",
      runUrl: "https://github.com/acme/access-requests/actions/runs/1",
      at,
    });
    const half = acceptIssuance(record, [token("a-1")]);
    expect(half.stage).toBe("tokens");
    const full = acceptIssuance(half, [token("a-2")]);
    expect(full.stage).toBe("live");
    expect(full.transitions.at(-1)).toMatchObject({ from: "tokens", to: "live" });
    expect(tokensComplete(full)).toBe(true);
    // A reissue request makes the device need a token again until a newer one is recorded.
    const reissueLine: CommandRecord = {
      comment: 30,
      index: 0,
      by: "rita",
      at: "2026-06-03T00:00:00Z",
      name: "reissue-tokens",
      args: "a-2 laptop lost",
      reviewer: true,
      outcome: "accepted",
    };
    const asked = acceptIssuance({ ...full, commands: [...full.commands, reissueLine] }, []);
    expect(asked.reissueRequested).toMatchObject([{ device: "a-2", by: "rita", reason: "laptop lost" }]);
    expect(devicesNeedingTokens(asked)).toEqual(["a-2"]);
    const reissued = acceptIssuance(asked, [token("a-2", "2026-06-04T00:00:00Z")]);
    expect(reissued.reissueRequested).toEqual([]);
  });
});

describe("status comment size", () => {
  it("stays under GitHub's limit for 500 devices with long ids, certificates and tokens", () => {
    const devices = Array.from({ length: 500 }, (_, i) =>
      `clinic-${String(i).padStart(3, "0")}-edge-gateway-${"x".repeat(40)}`.slice(0, 64),
    );
    const certificates = devices.map(certificate);
    const issuance = devices.map((d) => ({
      device: d,
      jti: createHash("sha1").update(d).digest("base64url"),
      x5tS256: thumbprintFromFingerprint(fingerprint(d)),
      expiresAt: "2027-06-02T00:00:00Z",
      runUrl: "https://github.com/acme/access-requests/actions/runs/123456789",
      at: "2026-06-02T00:00:00Z",
    }));
    const record = baseRecord(devices, { stage: "live", certificates, issuance });
    const body = renderStatusComment(record, defaultConfig());
    expect(body.length).toBeLessThan(COMMENT_LIMIT);
    expect(readRecord(body)).toBeNull(); // a view: the record is in the ledger
    expect(body).toContain("**500 of 500** device(s) hold a live token");
  });

  it("escapes what people typed", () => {
    const record = baseRecord(["a-1"], {
      hold: { by: "rita", at: T, url: "https://x.test/", reason: "@everyone <img src=x onerror=alert(1)> | ![x](y)" },
    });
    // The visible part; the hidden record keeps the text as typed (JSON-escaped, never rendered).
    const body = renderStatusComment(record, defaultConfig()).split("<!-- onerecord-access:record")[0]!;
    expect(body).not.toMatch(/[^\\]<img/);
    expect(body).toContain("\\<img");
    expect(body).not.toContain("@everyone");
    expect(body).toContain("Acme \\<script\\>");
  });
});
