import { once } from "node:events";
import { createServer, request, type Server } from "node:https";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { SWEEP_RUN_TITLE } from "../../src/app/handlers/sweep.js";
import { auditTrail } from "../../src/app/state/audit.js";
import { issuanceEntryOf, signIssuanceProof, writeIssuanceBlock } from "../../src/record/issuance-comment.js";
import { decryptDeviceToken, issueDeviceToken, type SigningKey } from "../../src/tokens/index.js";
import { createDeviceVerifier } from "../../src/verify/index.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile, type Issued } from "../helpers/pki.js";
import { commentEvent, workflowRunEvent } from "./helpers/payloads.js";
import { testRecordKey } from "./helpers/record-key.js";
import { Scenario } from "./helpers/scenario.js";
import { mergePr, SCENARIO_START, extraCaConfig } from "./helpers/test-ca.js";
import { dispatchedRun, issuanceBlock, makeTokenKey, WORKFLOW_BOT } from "./helpers/token-run.js";

/**
 * Life after live, end to end (issue 19, ../shared/SPEC.md H), on the GitHub stand-in with one
 * clock for the app and the stand-in: reminders once per threshold (two sweeps, two instances, a
 * redelivery) → a renewal PR merged → the token workflow dispatched → the new token supersedes the
 * old → the requester revokes gw-1 → the OneRecord API, over real mutual TLS with the status list
 * the app published, refuses gw-1's token and accepts gw-2's → the access review overdue → the
 * tokens suspended → /recertify → valid again → /revoke-access → access: ended. Real device
 * tokens, made as the token workflow makes them (with the index the app allocated).
 */
const DAY = 86_400_000;
const ISSUER = "https://onerecord.example/access";
const AUDIENCE = "https://api.onerecord.example";
const LIST = "https://status.onerecord.test/lists/{issue}.jwt";
const SETTINGS = {
  access: { reviewEvery: 300, reviewGrace: 10 },
  // One reminder, 200 days before a device's due date (its token's expiry, 365 days after issue).
  renewal: { reminderDays: [200] },
};

let key: SigningKey;
let config: string;
const devices = new Map<string, Issued>();
let intermediate: Issued;
let root: Issued;
let api: Server;
let port: number;
let s: Scenario | undefined;
/** The verifier the API server uses: made afresh for each check (its own empty cache). */
let verify: ReturnType<typeof createDeviceVerifier>;

beforeAll(async () => {
  const validity = { notBefore: new Date(AT.getTime() - 30 * DAY), notAfter: new Date(AT.getTime() + 800 * DAY) };
  root = await makeRoot({ cn: "Life Root", ...validity });
  intermediate = await makeIntermediate(root, { cn: "Life Intermediate", ...validity });
  for (const id of ["gw-1", "gw-2", "gw-1-renewed"])
    devices.set(id, await makeLeaf(intermediate, { cn: id, keyAlg: "p-256", ...validity }));
  const serverCert = await makeLeaf(root, {
    cn: "127.0.0.1",
    eku: ["serverAuth"],
    san: [{ type: "ip", value: "127.0.0.1" }],
    ...validity,
  });
  key = await makeTokenKey();
  config = extraCaConfig(root.pem, "Life CA");
  api = createServer(
    { key: serverCert.keyPem, cert: serverCert.pem, ca: [root.pem], requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      void verify
        .verifyRequest(req)
        .then((verdict) =>
          res
            .writeHead(verdict.ok ? 200 : verdict.status, { "content-type": "application/json" })
            .end(JSON.stringify(verdict.ok ? { sub: verdict.claims.sub } : { error: verdict.code })),
        );
    },
  );
  api.listen(0, "127.0.0.1");
  await once(api, "listening");
  port = (api.address() as AddressInfo).port;
});

afterAll(async () => {
  api.close();
  await once(api, "close");
});

afterEach(() => {
  vi.useRealTimers();
  s?.stop();
  s = undefined;
});

/** The app's clock and the stand-in's, moved together. */
function clockAt(ms: number): void {
  vi.setSystemTime(ms);
  s!.gh.setClock(new Date(ms).toISOString());
}

const file = (id: string) => pemFile(devices.get(id)!, intermediate);

/** A run of the token workflow as it runs: a real token per device, with the index the app allocated. */
async function tokenRun(n: number, runId: number, certs: Record<string, string>): Promise<Record<string, string>> {
  const gh = s!.gh;
  gh.runs.set(runId, dispatchedRun(n));
  const record = s!.record(n);
  const block = issuanceBlock(s!, n, runId, Object.keys(certs));
  const jwts: Record<string, string> = {};
  const issued = [];
  for (const [device, id] of Object.entries(certs)) {
    const idx = record.statusIndexes!.find((a) => a.device === device)!.idx;
    const token = await issueDeviceToken({
      key,
      certificate: devices.get(id)!.pem,
      device,
      account: "acme-health",
      issuer: ISSUER,
      audience: AUDIENCE,
      lifetimeDays: 365,
      now: new Date(),
      status: { idx, uri: LIST.replace("{issue}", String(n)) },
    });
    jwts[device] = await decryptDeviceToken(token.jwe, devices.get(id)!.privateKey);
    issued.push(issuanceEntryOf(token));
  }
  const real = { ...block, issued };
  const comment = gh.addComment(
    n,
    `${writeIssuanceBlock({ ...real, proof: await signIssuanceProof(real, key) })}`,
    WORKFLOW_BOT,
  );
  await s!.probot.receive(commentEvent(gh, "created", comment));
  gh.runs.set(runId, { ...gh.runs.get(runId)!, status: "completed", conclusion: "success", updated_at: gh.tick() });
  await s!.probot.receive(workflowRunEvent(gh, { id: runId, title: `Issue tokens for request #${n}` }));
  return jwts;
}

/** The OneRecord API's answer to `token` presented with `device`'s certificate, over mutual TLS. */
async function callApi(n: number, token: string, id: string): Promise<string> {
  const records = (await testRecordKey()).jwks;
  const read = (uri: string) => {
    expect(uri).toBe(LIST.replace("{issue}", String(n)));
    const jwt = s!.gh.ledgerGit().fileAt(s!.gh.ledger.branch, `status/${n}.jwt`)?.content.toString("utf8");
    return jwt ? Promise.resolve(jwt) : Promise.reject(new Error("no list"));
  };
  verify = createDeviceVerifier({
    tokensJwks: key.jwks,
    recordsJwks: records,
    issuer: ISSUER,
    audience: AUDIENCE,
    fetch: read,
  });
  const device = devices.get(id)!;
  const req = request({
    host: "127.0.0.1",
    port,
    path: "/v1/ping",
    ca: root.pem,
    agent: false,
    headers: { authorization: `Bearer ${token}` },
    key: device.keyPem,
    cert: device.pem,
  });
  req.end();
  const [res] = (await once(req, "response")) as [IncomingMessage];
  let text = "";
  for await (const chunk of res) text += String(chunk);
  return `${res.statusCode} ${text}`;
}

let runs = 8000;
const sweep = () =>
  workflowRunEvent(s!.gh, {
    id: runs++,
    title: SWEEP_RUN_TITLE,
    path: ".github/workflows/access-sweep.yml",
    event: "schedule",
  });
const reminders = (n: number) => s!.replies(n).filter((r) => r.includes("onerecord-access:reminder"));

describe("life after live, end to end", () => {
  it("reminds, renews, supersedes, revokes, suspends, recertifies and ends", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(SCENARIO_START));
    s = await Scenario.start(
      `${config}${stringify({ tokens: { jwks: key.jwks, statusList: { uri: LIST } }, ...SETTINGS })}`,
    );
    s.gh.setClock(SCENARIO_START);
    const n = await s.open({ devices: ["gw-1", "gw-2"] });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    await mergePr(s, 50, {
      [`certificates/${n}/gw-1.pem`]: file("gw-1"),
      [`certificates/${n}/gw-2.pem`]: file("gw-2"),
    });
    const start = Date.parse(SCENARIO_START);
    const first = await tokenRun(n, 901, { "gw-1": "gw-1", "gw-2": "gw-2" });
    expect(s.record(n).stage).toBe("live");
    expect(await callApi(n, first["gw-1"]!, "gw-1")).toMatch(/^200 .*gw-1/);

    // 1. Reminders: once per threshold, whatever the sweeps, instances and redeliveries.
    clockAt(start + 170 * DAY);
    const event = sweep();
    await s.probot.receive(event);
    await s.probot.receive(sweep());
    await (await s.secondInstance()).receive(sweep());
    await s.probot.receive(event);
    expect(reminders(n)).toHaveLength(1);
    expect(reminders(n)[0]).toMatch(/^@jane /m);
    expect(s.labels(n)).toContain("needs: renewal");
    expect(s.gh.statusComment(n)!.body).toMatch(/\| gw\\-1 \| renewal due \|/);

    // 2. gw-1 renewed: the merge dispatches the token workflow; the new token supersedes the old.
    await mergePr(s, 51, { [`certificates/${n}/gw-1.pem`]: file("gw-1-renewed") }, "51".padEnd(40, "b"));
    expect(s.gh.dispatches).toEqual([{ workflow: "issue-tokens.yml", ref: "main", inputs: { request: String(n) } }]);
    expect(s.gh.statusComment(n)!.body).toMatch(/\| gw\\-1 \| awaiting token \|/);
    const renewed = await tokenRun(n, 902, { "gw-1": "gw-1-renewed" });
    expect(s.record(n).stage).toBe("live");
    expect(await callApi(n, first["gw-1"]!, "gw-1")).toBe('401 {"error":"token-revoked"}');
    expect(await callApi(n, renewed["gw-1"]!, "gw-1-renewed")).toMatch(/^200 .*gw-1/);

    // 3. The requester revokes gw-1's token: refused over mutual TLS; gw-2's still accepted.
    await s.say(n, "jane", "/revoke-tokens gw-1 the gateway was stolen");
    expect(s.gh.statusComment(n)!.body).toMatch(/\| gw\\-1 \| revoked \|/);
    expect(await callApi(n, renewed["gw-1"]!, "gw-1-renewed")).toBe('401 {"error":"token-revoked"}');
    expect(await callApi(n, first["gw-2"]!, "gw-2")).toMatch(/^200 .*gw-2/);

    // 4. The access review is due and nobody recertifies: past the grace, the sweep suspends.
    clockAt(start + 311 * DAY);
    await s.probot.receive(sweep());
    expect(s.record(n).review).toMatchObject({ state: "suspended" });
    expect(s.gh.statusComment(n)!.body).toMatch(/\| gw\\-2 \| suspended \|/);
    expect(await callApi(n, first["gw-2"]!, "gw-2")).toBe('403 {"error":"token-suspended"}');

    // 5. /recertify by a reviewer who is not the requester: valid again.
    await s.say(n, "tom", "/recertify still needed");
    expect(await callApi(n, first["gw-2"]!, "gw-2")).toMatch(/^200 .*gw-2/);

    // 6. /revoke-access: every token revoked, access: ended, the issue closed.
    await s.say(n, "tom", "/revoke-access the contract ended");
    expect(s.record(n).stage).toBe("ended");
    expect(s.labels(n)).toContain("access: ended");
    expect(s.gh.issues.get(n)!.state).toBe("closed");
    expect(await callApi(n, first["gw-2"]!, "gw-2")).toBe('401 {"error":"token-revoked"}');

    // Everything after live is in the audit trail: the reminders, the dispatch, the revocations,
    // the review's reminder and recertification, the end.
    const audit = auditTrail(s.record(n)).map((e) => `${e.by}: ${e.what}`);
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^onerecord-access: renewal reminder sent: gw-1/),
        expect.stringMatching(/^onerecord-access: token workflow dispatched after the renewal #\d+$/),
        "jane: revoked tokens: gw-1 the gateway was stolen",
        expect.stringMatching(/^onerecord-access: access review due \(\d{4}-\d{2}-\d{2}\): reviewers reminded$/),
        "tom: recertified the access (periodic review): still needed",
        "tom: ended the access (every token revoked): the contract ended",
      ]),
    );
  }, 30_000);
});
