import { randomBytes, randomUUID } from "node:crypto";
import { expect } from "vitest";
import { defaultConfig } from "../../../src/config/parse.js";
import { renderStatusComment } from "../../../src/app/render/status.js";
import { assembleRecord } from "../../../src/app/state/assemble.js";
import { MAX_OLDER_TOKENS } from "../../../src/app/state/bounds.js";
import { reduce } from "../../../src/app/state/reduce.js";
import type { ReduceInput } from "../../../src/app/state/types.js";
import { COMMENT_LIMIT, readRecord } from "../../../src/record/codec.js";
import type {
  AccessRecord,
  CertificateRecord,
  CommandRecord,
  IssuanceRecord,
  RequestContent,
} from "../../../src/record/schema.js";
import { hasCurrentToken, thumbprintFromFingerprint } from "../../../src/record/tokens.js";
import { MAX_RECORD_JSON_BYTES } from "../../../src/record/ledger-file.js";
import { recordSchema } from "../../../src/record/schema.js";

/**
 * A live request with `count` devices, each with a valid merged certificate, and four issuance
 * rounds (a `/reissue-tokens all` before each later one). `npm test` runs it with a few dozen
 * devices (test/app/status-size.test.ts: enough for the older tokens to be pruned to stand-ins);
 * `npm run test:corpora` with 500 (test/corpora/status-size.corpus.ts: the size bounds at scale).
 * The replay is quadratic in the device count (src/record/tokens.ts looks up each device's
 * certificate and tokens by scanning), so 500 devices take seconds.
 */
export function manyDevices(count: number) {
  const devices = Array.from({ length: count }, (_, i) => `clinic-${String(i).padStart(3, "0")}-gateway`);
  const request: RequestContent = {
    account: "Acme",
    contact: "j@acme.test",
    devices,
    certificateOption: 1,
    networkPaths: ["8.8.4.0/24"],
    sha256: "1".repeat(64),
  };
  const issueUrl = "https://github.com/acme/access-requests/issues/7";
  const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 10, minute)).toISOString();
  const fingerprints = devices.map(() => randomBytes(32).toString("hex").toUpperCase().match(/../g)!.join(":"));
  const certificates: CertificateRecord[] = devices.map((device, i) => ({
    device,
    path: `certificates/7/${device}.pem`,
    fingerprintSha256: fingerprints[i]!,
    pr: 50,
    mergedCommit: "a".repeat(40),
    mergedAt: at(5),
    verdict: "valid",
    errors: [],
    notAfter: "2027-06-01T00:00:00.000Z",
  }));
  const pullRequests = [
    {
      number: 50,
      url: "https://github.com/acme/access-requests/pull/50",
      state: "merged" as const,
      at: at(5),
      mergedAt: at(5),
      mergedCommit: "a".repeat(40),
      mergedBy: "rita",
    },
  ];
  let comment = 100;
  const command = (minute: number, name: CommandRecord["name"], args: string, by = "rita"): CommandRecord => ({
    comment: ++comment,
    index: 0,
    by,
    at: at(minute),
    name,
    args,
    reviewer: true,
    outcome: "accepted",
  });
  const round = (minute: number, run: number): IssuanceRecord[] =>
    devices.map((device, i) => ({
      device,
      jti: randomUUID(),
      x5tS256: thumbprintFromFingerprint(fingerprints[i]!),
      expiresAt: "2027-06-02T00:00:00Z",
      runUrl: `https://github.com/acme/access-requests/actions/runs/${run}`,
      at: at(minute),
      by: "github-actions[bot]",
    }));

  function input(commands: readonly CommandRecord[], issuance: readonly IssuanceRecord[]): ReduceInput {
    return {
      checklistItems: defaultConfig().checklist,
      requester: "jane",
      issueUrl,
      form: { valid: true, request },
      priorRequest: request,
      commands,
      pullRequests,
      certificates,
      issuance,
    };
  }

  /**
   * Round by round: the stored (pruned) record replays to the same state as the full history,
   * current tokens stay whole and older ones become stand-ins, and the status comment and the
   * ledger's JSON stay within their bounds.
   */
  function replayReissueRounds(): void {
    const config = defaultConfig();
    const history: CommandRecord[] = [
      ...config.checklist.map((item, i) => command(1 + i * 0, "check", item)),
      command(2, "approve-certification", "", "tom"),
    ];
    let issuanceFull: IssuanceRecord[] = round(10, 1);
    let prior: AccessRecord | null = null;
    let stored: AccessRecord | null = null;
    for (let r = 1; r <= 4; r++) {
      if (r > 1) {
        history.push(command(10 * r + 5, "reissue-tokens", "all key rotation"));
        // A reviewer's command refused on the way (the request is waiting for tokens): kept.
        history.push(command(10 * r + 6, "reissue-tokens", "all again"));
        issuanceFull = [...issuanceFull, ...round(10 * r + 8, r)];
      }
      const full = reduce(input(history, issuanceFull));
      // The app's view: the stored record (pruned) plus what is new since.
      const fresh = prior
        ? issuanceFull
            .filter((t) => !prior!.issuance.some((p) => p.jti === t.jti && p.jti !== ""))
            .filter((t) => t.runUrl.endsWith(`/${r}`))
        : issuanceFull;
      const storedIssuance = [...(stored?.issuance ?? []), ...(prior ? fresh : [])];
      const issuance = prior ? storedIssuance : issuanceFull;
      const fromRecord = reduce(
        input(
          stored
            ? stored.commands.concat(history.filter((c) => !stored!.commands.some((s) => s.comment === c.comment)))
            : history,
          issuance,
        ),
      );
      expect(fromRecord).toEqual(full);
      const record = assembleRecord({
        repository: "acme/access-requests",
        issue: 7,
        issueUrl,
        requester: "jane",
        writer: "onerecord-access[bot]",
        reduced: fromRecord,
        form: { at: at(0), bodySha256: "cd".repeat(32), valid: true, problems: [], applied: true },
        formLog: [{ at: at(0), bodySha256: "cd".repeat(32), valid: true, applied: true }],
        ignored: [],
        pullRequests,
        certificates,
        issuance,
        issuanceComments: [],
        integrity: [],
      });
      expect(record.stage).toBe("live");
      expect(devices.every((d) => hasCurrentToken(record, d))).toBe(true);
      // Whole tokens: the current one of each device plus a bounded number of older ones.
      expect(record.issuance.filter((t) => t.jti !== "").length).toBeLessThanOrEqual(devices.length + MAX_OLDER_TOKENS);
      expect(record.issuance).toHaveLength(devices.length * r);
      // Once there are more older tokens than are kept whole, the rest are stand-ins.
      if (devices.length * (r - 1) > MAX_OLDER_TOKENS) expect(record.issuance.some((t) => t.jti === "")).toBe(true);
      // Replaying the pruned record gives the same state, outcomes and transitions.
      expect(reduce(input(record.commands, record.issuance))).toEqual(full);
      const body = renderStatusComment(record, config);
      expect(body.length).toBeLessThan(COMMENT_LIMIT);
      // The ledger keeps the record as signed JSON, well below its bound; the view holds none.
      const json = JSON.stringify(recordSchema.parse(record));
      expect(Buffer.byteLength(json)).toBeLessThan(MAX_RECORD_JSON_BYTES);
      expect(readRecord(body)).toBeNull();
      const read = recordSchema.parse(JSON.parse(json));
      expect(read).toEqual(record);
      expect(renderStatusComment(read, config)).toBe(body);
      prior = record;
      stored = read;
    }
  }

  return { devices, request, issueUrl, at, replayReissueRounds };
}
