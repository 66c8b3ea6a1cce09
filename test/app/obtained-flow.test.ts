import { createHash, generateKeyPairSync, X509Certificate } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SWEEP_RUN_TITLE } from "../../src/app/handlers/sweep.js";
import { auditTrail } from "../../src/app/state/audit.js";
import { stringify } from "yaml";
import { CERTIFICATE_OPTIONS } from "../../src/app/intake/form.js";
import { judgeDeliveryJwk } from "../../src/delivery/delivery-jwk.js";
import { encryptDeviceKey } from "../../src/delivery/encrypt-device-key.js";
import { signObtainedProof, writeObtainedBlock, type ObtainedBlock } from "../../src/record/obtained-comment.js";
import { x5tS256 } from "../../src/tokens/thumbprint.js";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import { personOf } from "./helpers/fake-git-routes.js";
import { TEST_DELIVERY_JWK } from "./helpers/form.js";
import { commentEvent, workflowRunEvent } from "./helpers/payloads.js";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, mergePr, startScenario, type TestCa } from "./helpers/test-ca.js";
import { makeTokenKey, WORKFLOW_BOT } from "./helpers/token-run.js";

/**
 * Option 2 on the app's side (issue 20; docs/option-2.md): the obtain workflow's signed report on
 * an approved option-2 request is accepted once — its devices recorded as obtained (the key's
 * SHA-256, never the key) — and the app opens the pull request that commits the certificates, so
 * the certificate check runs on it; a report without a valid proof, or from another run, changes
 * nothing. On the GitHub stand-in.
 */
const DEVICES = ["gw-1", "gw-2"];
const WORKFLOW = ".github/workflows/obtain-certificates.yml";
const DAY = 86_400_000;

let ca: TestCa;
let key: SigningKey;
let s: Scenario | undefined;
beforeAll(async () => {
  ca = await makeTestCa(DEVICES);
  key = await makeTokenKey();
});
afterEach(() => {
  vi.useRealTimers();
  s?.stop();
  s = undefined;
});

/** An option-2 request, certified: stage certificates. The default branch exists in the git model. */
function optionTwoConfig(): string {
  const onBehalf = `certificates:\n  onBehalf:\n    directory: https://ca.example/acme/directory\n    identifier: "{device}.{account}.devices.example.com"\n`;
  return ca.config.replace("certificates:\n", onBehalf);
}

async function approvedOptionTwo(): Promise<[Scenario, number]> {
  const config = optionTwoConfig();
  s = await startScenario({ ...ca, config }, stringify({ tokens: { jwks: key.jwks } }));
  // The app's clock is the stand-in's (a comment's time and the app's are GitHub's and the host's).
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.parse(s.gh.now()));
  s.gh
    .ledgerGit()
    .commitFile("main", "README.md", "requests\n", "init", personOf(s.gh, { login: "otto", type: "User" }, s.gh.now()));
  const n = await s.open({ devices: DEVICES, option: CERTIFICATE_OPTIONS[1] });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  expect(s.record(n)).toMatchObject({ stage: "certificates", request: { certificateOption: 2 } });
  expect(s.gh.statusComment(n)!.body).toMatch(/a OneRecord maintainer runs the `obtain-certificates\.yml` workflow/);
  return [s, n];
}

async function report(s: Scenario, n: number, runId: number, signer = key, runPath = WORKFLOW): Promise<ObtainedBlock> {
  const verdict = judgeDeliveryJwk(TEST_DELIVERY_JWK);
  if (!verdict.ok) throw new Error(verdict.reason);
  const obtained = [];
  for (const device of DEVICES) {
    const chainPem = Buffer.from(ca.leaves.get(device)!).toString("utf8");
    const print = x5tS256(new X509Certificate(chainPem).raw);
    const deviceKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const { jwe } = await encryptDeviceKey(deviceKey, verdict.jwk, { device, x5tS256: print, request: n });
    obtained.push({
      device,
      path: `certificates/${n}/${device}.pem`,
      identifier: `${device}.acme-health.devices.example.com`,
      orderUrl: `https://ca.example/acme/order/${device}`,
      x5tS256: print,
      chainPem,
      keyJwe: jwe,
    });
  }
  const content = {
    version: 1 as const,
    repository: "acme/access-requests",
    request: n,
    runId,
    runAttempt: 1,
    workflow: WORKFLOW,
    ref: "refs/heads/main",
    sha: "b".repeat(40),
    obtainedAt: "2025-03-03T10:00:00Z",
    obtained,
  };
  const block = { ...content, proof: await signObtainedProof(content, signer) };
  s.gh.runs.set(runId, {
    path: runPath,
    head_branch: "main",
    event: "workflow_dispatch",
    status: "in_progress",
    conclusion: null,
    run_attempt: 1,
    display_title: `Obtain certificates for request #${n}`,
    head_sha: "b".repeat(40),
  });
  const comment = s.gh.addComment(n, `${writeObtainedBlock(block)}\n\n### Certificates obtained for you`, WORKFLOW_BOT);
  await s.probot.receive(commentEvent(s.gh, "created", comment));
  return block;
}

const keyComments = (s: Scenario, n: number) =>
  s.gh.commentsOn(n).filter((c) => c.body.includes("onerecord-access:obtained"));

describe("certificates obtained on the customer's behalf (option 2)", () => {
  it("records the devices once and opens the pull request that commits the certificates; merged, they are the request's", async () => {
    const [s, n] = await approvedOptionTwo();
    const block = await report(s, n, 6001);
    const record = s.record(n);
    expect(record.obtained?.map((o) => o.device)).toEqual(DEVICES);
    expect(record.obtained![0]).toMatchObject({
      runId: 6001,
      orderUrl: "https://ca.example/acme/order/gw-1",
      keyJweSha256: createHash("sha256").update(block.obtained[0]!.keyJwe).digest("base64url"),
    });
    expect(JSON.stringify(record)).not.toContain(block.obtained[0]!.keyJwe);
    // One pull request, opened by the app, from a branch holding the chains.
    expect(s.gh.opened).toHaveLength(1);
    const pull = s.gh.opened[0]!;
    expect(pull).toMatchObject({
      base: "main",
      by: "onerecord-access[bot]",
      title: `Certificates obtained by OneRecord for request #${n}`,
    });
    for (const e of block.obtained)
      expect(s.gh.ledgerGit().fileAt(pull.head, e.path)?.content.toString("utf8")).toBe(e.chainPem);

    // A redelivery opens nothing more.
    const comment = s.gh.commentsOn(n).find((c) => c.body.includes("onerecord-access:obtained"))!;
    await s.probot.receive(commentEvent(s.gh, "created", comment));
    expect(s.gh.opened).toHaveLength(1);

    // The pull request merged: the certificates are the request's, judged as any other.
    await mergePr(s, 60, Object.fromEntries(DEVICES.map((d) => [`certificates/${n}/${d}.pem`, ca.leaves.get(d)!])));
    expect(s.record(n).stage).toBe("tokens");
    expect(s.gh.statusComment(n)!.body).toContain(
      "✅ valid — obtained by OneRecord (option 2), [ACME order](https://ca.example/acme/order/gw-1)",
    );
  });

  it("acts on no report without a valid proof, nor on one naming a run that is not the obtain workflow's", async () => {
    const [s, n] = await approvedOptionTwo();
    await report(s, n, 6002, await makeTokenKey());
    expect(s.record(n).obtained ?? []).toEqual([]);
    expect(s.gh.opened).toEqual([]);
    // A genuine proof, but the run it names is another workflow's (the key leaked into it?).
    await report(s, n, 6003, key, ".github/workflows/other.yml");
    expect(s.record(n).obtained ?? []).toEqual([]);
    expect(s.gh.opened).toEqual([]);
    // The obtain workflow's own report is then accepted.
    await report(s, n, 6004);
    expect(s.record(n).obtained).toHaveLength(2);
    expect(s.gh.opened).toHaveLength(1);
  });

  it("judges a refused report again when a later event lists it, after other versions were written (issue 22's review)", async () => {
    const [s, n] = await approvedOptionTwo();
    // Signed with a rotated key the configuration does not publish yet: refused.
    const rotated = await makeTokenKey();
    await report(s, n, 6010, rotated);
    expect(s.record(n).obtained ?? []).toEqual([]);
    // A version written after the report: its horizon must stay before the refused report.
    s.gh.tick(10);
    await s.say(n, "rita", "/status");
    s.gh.tick(10);
    s.gh.setConfig(
      `${optionTwoConfig()}${stringify({ tokens: { jwks: { keys: [...key.jwks.keys, ...rotated.jwks.keys] } } })}`,
    );
    await s.say(n, "rita", "/status");
    expect(s.record(n).obtained).toHaveLength(2);
    expect(s.gh.opened).toHaveLength(1);
  });

  it("removes the comment holding the keys after the requester's /keys-received, and only theirs", async () => {
    const [s, n] = await approvedOptionTwo();
    await report(s, n, 6005);
    expect(keyComments(s, n)).toHaveLength(1);
    const keyCommentBody = keyComments(s, n)[0]!.body;
    expect(s.gh.statusComment(n)!.body).toMatch(
      /open each device's key with `node cli\/dist\/onerecord-access\.js decrypt-key/,
    );
    await s.say(n, "rita", "/keys-received");
    expect(s.replies(n).at(-1)).toMatch(/only the person who opened this request can run `\/keys-received`/);
    expect(keyComments(s, n)).toHaveLength(1);
    await s.say(n, "jane", "/keys-received");
    expect(keyComments(s, n)).toEqual([]);
    expect(s.record(n).keysRemoved).toEqual([
      expect.objectContaining({ why: "keys-received", by: "jane", comment: expect.any(Number) }),
    ]);
    expect(s.gh.statusComment(n)!.body).not.toMatch(/open each device's key/);
    // The audit trail: the report, the requester's word, the removal.
    const audit = auditTrail(s.record(n)).map((e) => `${e.by}: ${e.what}`);
    expect(audit).toEqual(
      expect.arrayContaining([
        "obtain workflow (run 6005): certificates obtained by OneRecord (option 2), keys posted encrypted: gw-1, gw-2",
        "jane: said the device keys were received",
        "onerecord-access: comment holding the encrypted keys removed (keys received, said by jane)",
      ]),
    );

    // Someone with write access has a workflow post a copy of the accepted report: refused, no
    // second pull request, the keys not back on display in the app's name.
    const original = s.gh.opened.length;
    const copy = s.gh.addComment(n, keyCommentBody, WORKFLOW_BOT);
    await s.probot.receive(commentEvent(s.gh, "created", copy));
    expect(s.record(n).obtained).toHaveLength(DEVICES.length);
    expect(s.gh.opened).toHaveLength(original);
    expect(s.gh.statusComment(n)!.body).not.toMatch(/open each device's key/);
    // The removal is recorded once: later events neither record it again nor delete again.
    const mark = s.mark();
    await s.say(n, "jane", "/status");
    expect(s.record(n).keysRemoved).toHaveLength(1);
    expect(s.callsSince(mark)).not.toContain("DELETE issues/delete-comment");
  });

  it("removes it on its own after certificates.onBehalf.keyCommentDays, at the expiry watch's sweep", async () => {
    const [s, n] = await approvedOptionTwo();
    {
      await report(s, n, 6006);
      const posted = s.record(n).obtained![0]!.at;
      // The index holds the request at the keys' expiry.
      await s.say(n, "jane", "/status");
      expect(s.record(n).dueIndexed).toBe(new Date(Date.parse(posted) + 14 * DAY).toISOString());
      const later = new Date(Date.parse(posted) + 14 * DAY + 3600_000).toISOString();
      vi.setSystemTime(Date.parse(later));
      s.gh.setClock(later);
      await s.probot.receive(
        workflowRunEvent(s.gh, {
          id: 9901,
          title: SWEEP_RUN_TITLE,
          path: ".github/workflows/access-sweep.yml",
          event: "schedule",
        }),
      );
      expect(keyComments(s, n)).toEqual([]);
      expect(s.record(n).keysRemoved).toEqual([expect.objectContaining({ why: "expired" })]);
    }
  });

  it("keeps the approved option 2 and its delivery key when the form is edited to option 1 afterwards", async () => {
    const [s, n] = await approvedOptionTwo();
    const approved = s.record(n).request!;
    await s.editForm(n, { devices: DEVICES, option: CERTIFICATE_OPTIONS[0] });
    expect(s.record(n).request).toEqual(approved);
    expect(s.gh.statusComment(n)!.body).toMatch(/edited after certification was approved; the edits are not applied/);
  });
});
