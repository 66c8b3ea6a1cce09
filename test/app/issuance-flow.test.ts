import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { stringify } from "yaml";
import { signIssuanceProof, writeIssuanceBlock } from "../../src/record/issuance-comment.js";
import { loadSigningKey, type SigningKey } from "../../src/tokens/signing-key.js";
import type { FakeComment, FakeRun } from "./helpers/fake-github.js";
import { commentEvent, workflowRunEvent, type RunSpec } from "./helpers/payloads.js";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, mergePr, startScenario, type TestCa } from "./helpers/test-ca.js";
import { dispatchedRun, issuanceBlock, TOKEN_WORKFLOW, WORKFLOW_BOT, type BlockOptions } from "./helpers/token-run.js";

/**
 * The token workflow (docs/token-workflow.md) reports what it issued in a comment (as github-actions[bot]) from
 * inside its run; the app counts the tokens only once that run attempt has completed with
 * success, which it learns from `workflow_run.completed` (or any later event).
 */

let ca: TestCa;
/** The token workflow's signing key: the configuration publishes its JWKS (`tokens.jwks`). */
let tokenKey: SigningKey;
beforeAll(async () => {
  ca = await makeTestCa(["gw-1", "gw-2"]);
  const pem = generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ format: "pem", type: "pkcs8" })
    .toString();
  tokenKey = await loadSigningKey(pem);
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

/** The account the token workflow posts as (its GITHUB_TOKEN). */
const title = (n: number) => `Issue tokens for request #${n}`;

/** A request in stage tokens: approved by tom, both devices' certificates merged. */
async function inTokens(extraConfig?: string): Promise<[Scenario, number]> {
  s = await startScenario(ca, extraConfig ?? stringify({ tokens: { jwks: tokenKey.jwks } }));
  const n = await s.open({ devices: ["gw-1", "gw-2"] });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  await mergePr(s, 50, {
    [`certificates/${n}/gw-1.pem`]: ca.leaves.get("gw-1")!,
    [`certificates/${n}/gw-2.pem`]: ca.leaves.get("gw-2")!,
  });
  expect(s.record(n).stage).toBe("tokens");
  dispatchedFor = n;
  return [s, n];
}

/** The request the current scenario's token runs are dispatched for (their title names it). */
let dispatchedFor = 0;

function run(overrides: Partial<FakeRun> = {}): FakeRun {
  return { ...dispatchedRun(dispatchedFor), ...overrides };
}

/** The comment the token workflow posts (src/record/issuance-comment.ts), as github-actions[bot]; not delivered. */
interface IssuanceOptions extends BlockOptions {
  /** Post the block without the signing key's proof (default: proven with `tokenKey`). */
  unproven?: boolean;
}

async function issuanceComment(
  s: Scenario,
  n: number,
  runId: number,
  devices: string[],
  options: IssuanceOptions = {},
): Promise<FakeComment> {
  if (!options.unproven) return provenIssuanceComment(s, n, runId, devices, tokenKey, options);
  return s.gh.addComment(
    n,
    `${writeIssuanceBlock(issuanceBlock(s, n, runId, devices, options))}\n### Device tokens`,
    WORKFLOW_BOT,
  );
}

/** The same comment with a proof signed by `key`, as the token workflow posts it. */
async function provenIssuanceComment(
  s: Scenario,
  n: number,
  runId: number,
  devices: string[],
  key: SigningKey,
  options: IssuanceOptions = {},
): Promise<FakeComment> {
  const block = issuanceBlock(s, n, runId, devices, options);
  const proof = await signIssuanceProof(block, key);
  return s.gh.addComment(n, `${writeIssuanceBlock({ ...block, proof })}\n### Device tokens`, WORKFLOW_BOT);
}

async function postIssuance(
  s: Scenario,
  n: number,
  runId: number,
  devices: string[],
  options: IssuanceOptions = {},
): Promise<FakeComment> {
  const comment = await issuanceComment(s, n, runId, devices, options);
  await s.probot.receive(commentEvent(s.gh, "created", comment));
  return comment;
}

/** The run attempt ends (GitHub's side), then its `workflow_run.completed` is delivered. */
async function complete(
  s: Scenario,
  spec: RunSpec & { conclusion: "success" | "failure" | "cancelled" },
): Promise<void> {
  const current = s.gh.runs.get(spec.id);
  const at = s.gh.tick();
  if (current) s.gh.runs.set(spec.id, { ...current, status: "completed", conclusion: spec.conclusion, updated_at: at });
  await s.probot.receive(workflowRunEvent(s.gh, spec));
}

describe("issuance is accepted only after the run succeeded", () => {
  it("shows a comment from a run in progress as pending, then goes live when the run completes successfully", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(777, run());
    const comment = await postIssuance(s, n, 777, ["gw-1", "gw-2"]);

    let record = s.record(n);
    expect(record).toMatchObject({
      stage: "tokens",
      issuance: [],
      issuanceComments: [{ comment: comment.id, runId: 777, runAttempt: 1, accepted: false, pending: true, tokens: 2 }],
    });
    expect(s.labels(n)).toEqual(["access: tokens", "needs: tokens"]);
    expect(s.gh.issues.get(n)!.state).toBe("open");
    const pending = s.gh.statusComment(n)!.body;
    expect(pending).toContain("**0 of 2** device(s) hold a live token");
    expect(pending).toMatch(/⏳ pending confirmation: run 777 \\\(attempt 1\\\) is in\\_progress/);
    expect(pending).toMatch(/reported tokens from a run that has not completed yet/);

    const mark = s.mark();
    await complete(s, { id: 777, title: title(n), conclusion: "success" });
    expect(s.callsSince(mark)).toEqual([
      "GET repos/get-content",
      "GET issues/get",
      "GET repos/get-branch-rules", // the ledger\'s protection
      "GET repos/list-commits", // the ledger head (its commit; the text is the one this process wrote)
      "GET issues/list-comments",
      "GET actions/get-workflow-run-attempt",
      // The due-date index (expiry watch): the request's first entry, written before its record.
      "GET repos/get-content",
      "PUT repos/create-or-update-file-contents",
      "PUT repos/create-or-update-file-contents", // the record's new version
      "PATCH issues/update-comment",
      "PATCH issues/update",
      "PATCH issues/update-label", // once per repository: GitHub made `access: live` grey; the app sets its colour
    ]);
    record = s.record(n);
    expect(record.stage).toBe("live");
    expect(record.issuance.map((t) => t.device)).toEqual(["gw-1", "gw-2"]);
    expect(record.issuanceComments).toEqual([expect.objectContaining({ comment: comment.id, accepted: true })]);
    expect(record.issuanceComments[0]!.pending).toBeUndefined();
    expect(record.transitions.at(-1)).toMatchObject({
      from: "tokens",
      to: "live",
      url: "https://github.com/acme/access-requests/actions/runs/777",
    });
    expect(s.labels(n)).toEqual(["access: live"]);
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(s.gh.statusComment(n)!.body).toContain("**2 of 2** device(s) hold a live token");
    expect(s.gh.statusComment(n)!.body).not.toContain("pending confirmation");
  });

  it("lists a pending report again from its own time once later versions read past it (issue 22), and goes live on the run's completion", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(777, run());
    const comment = await postIssuance(s, n, 777, ["gw-1", "gw-2"]);
    // A command later: its version says the comments were read past the report's.
    s.gh.tick(10);
    await s.say(n, "rita", "/status");
    expect(s.record(n).commentsRead).toMatchObject({ pendingSince: comment.updated_at });
    s.gh.tick(10);
    const mark = s.mark();
    await complete(s, { id: 777, title: title(n), conclusion: "success" });
    // One listing from the pending report's time holds it (its proof verified and its run judged
    // again, as from a full listing); it is not read by id, one request a report.
    const calls = s.callsSince(mark);
    expect(calls).not.toContain("GET issues/get-comment");
    expect(calls.filter((c) => c === "GET issues/list-comments")).toHaveLength(1);
    const record = s.record(n);
    expect(record.stage).toBe("live");
    expect(record.issuanceComments).toEqual([expect.objectContaining({ comment: comment.id, accepted: true })]);
    expect(record.commentsRead?.pendingSince).toBeUndefined();
  });

  it("converges on redelivery of the run event and of the comment: nothing is written again", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(777, run());
    const comment = await postIssuance(s, n, 777, ["gw-1", "gw-2"]);
    await complete(s, { id: 777, title: title(n), conclusion: "success" });
    const settled = s.gh.statusComment(n)!.body;

    const mark = s.mark();
    await s.probot.receive(workflowRunEvent(s.gh, { id: 777, title: title(n), conclusion: "success" }));
    await s.probot.receive(commentEvent(s.gh, "created", comment));
    expect(s.writesSince(mark)).toEqual([]);
    // A final judgement is not asked again: no run lookup once the comment is accepted.
    expect(s.callsSince(mark)).not.toContain("GET actions/get-workflow-run-attempt");
    expect(s.gh.statusComment(n)!.body).toBe(settled);
    expect(s.record(n).issuance).toHaveLength(2);
  });

  it("accepts on the run event when it is handled before the comment's webhook (out of order)", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(780, run());
    const comment = await issuanceComment(s, n, 780, ["gw-1", "gw-2"]); // posted, webhook not yet handled
    await complete(s, { id: 780, title: title(n), conclusion: "success" });
    expect(s.record(n)).toMatchObject({ stage: "live", issuanceComments: [{ comment: comment.id, accepted: true }] });

    const mark = s.mark();
    await s.probot.receive(commentEvent(s.gh, "created", comment));
    expect(s.writesSince(mark)).toEqual([]);
    expect(s.record(n).stage).toBe("live");
  });

  it("refuses the issuance of a run that failed or was cancelled, and shows it as refused", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(778, run());
    await postIssuance(s, n, 778, ["gw-1", "gw-2"]);
    expect(s.record(n).issuanceComments).toEqual([expect.objectContaining({ pending: true })]);
    await complete(s, { id: 778, title: title(n), conclusion: "failure" });

    let record = s.record(n);
    expect(record).toMatchObject({
      stage: "tokens",
      issuance: [],
      issuanceComments: [{ runId: 778, accepted: false, reason: "run 778 (attempt 1) ended with failure" }],
    });
    expect(record.issuanceComments[0]!.pending).toBeUndefined();
    expect(s.labels(n)).toEqual(["access: tokens", "needs: tokens"]);
    expect(s.gh.issues.get(n)!.state).toBe("open");
    expect(s.gh.statusComment(n)!.body).toMatch(/❌ refused: run 778 \\\(attempt 1\\\) ended with failure/);

    s.gh.runs.set(779, run());
    await postIssuance(s, n, 779, ["gw-1", "gw-2"]);
    await complete(s, { id: 779, title: title(n), conclusion: "cancelled" });
    record = s.record(n);
    expect(record.stage).toBe("tokens");
    expect(record.issuanceComments.map((j) => j.reason)).toEqual([
      "run 778 (attempt 1) ended with failure",
      "run 779 (attempt 1) ended with cancelled",
    ]);
  });

  it("judges the attempt a comment names: a failed first attempt is refused, a successful re-run accepted", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(790, run());
    await postIssuance(s, n, 790, ["gw-1", "gw-2"]);
    await complete(s, { id: 790, title: title(n), conclusion: "failure" });
    // Re-run: attempt 2 of the same run; GitHub keeps attempt 1 as it ended.
    s.gh.runAttempts.set("790:1", s.gh.runs.get(790)!);
    s.gh.runs.set(790, run({ run_attempt: 2 }));
    await postIssuance(s, n, 790, ["gw-1", "gw-2"], { attempt: 2 });
    expect(s.record(n).issuanceComments.map((j) => [j.runAttempt, j.accepted, j.pending ?? false])).toEqual([
      [1, false, false],
      [2, false, true],
    ]);
    await complete(s, { id: 790, attempt: 2, title: title(n), conclusion: "success" });
    expect(s.record(n)).toMatchObject({
      stage: "live",
      issuanceComments: [
        { runAttempt: 1, accepted: false },
        { runAttempt: 2, accepted: true },
      ],
    });
  });

  it("refuses issuance comments naming a run of another workflow file, another branch or a non-dispatch event", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(666, run({ path: ".github/workflows/ci.yml", status: "completed", conclusion: "success" }));
    s.gh.runs.set(667, run({ head_branch: "release", status: "completed", conclusion: "success" }));
    s.gh.runs.set(668, run({ event: "push", status: "completed", conclusion: "success" }));
    await postIssuance(s, n, 666, ["gw-1", "gw-2"]);
    await postIssuance(s, n, 667, ["gw-1", "gw-2"]);
    await postIssuance(s, n, 668, ["gw-1", "gw-2"]);
    await postIssuance(s, n, 669, ["gw-1", "gw-2"], { workflow: ".github/workflows/ci.yml" });
    const record = s.record(n);
    expect(record).toMatchObject({ stage: "tokens", issuance: [] });
    expect(record.issuanceComments.map((j) => [j.runId, j.accepted, j.reason])).toEqual([
      [
        666,
        false,
        "run 666 (attempt 1) is of .github/workflows/ci.yml, not the token workflow .github/workflows/issue-tokens.yml",
      ],
      [667, false, "run 667 (attempt 1) did not run on the default branch main"],
      [668, false, "run 668 (attempt 1) was started by push, not workflow_dispatch"],
      [669, false, "it names workflow .github/workflows/ci.yml, not .github/workflows/issue-tokens.yml"],
    ]);
    // Refusals are final: a later event does not ask about those runs again.
    const mark = s.mark();
    await s.say(n, "jane", "/status");
    expect(s.callsSince(mark)).not.toContain("GET actions/get-workflow-run-attempt");
  });

  it("ignores completed runs of other workflows, branches and events, and titles that are not the token workflow's", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(777, run());
    await postIssuance(s, n, 777, ["gw-1", "gw-2"]);
    s.gh.runs.set(777, run({ status: "completed", conclusion: "success" }));

    const mark = s.mark();
    for (const spec of [
      { id: 900, title: "ci: bump actions/checkout", path: ".github/workflows/ci.yml" },
      { id: 901, title: `Issue tokens for request #${n} (again)` },
      { id: 902, title: `issue tokens for request #${n}` },
      { id: 903, title: `Issue tokens for request #0${n}` },
      { id: 904, title: title(n), branch: "release" },
      { id: 905, title: title(n), event: "push" },
      { id: 906, title: title(n), event: "pull_request" },
    ]) {
      await s.probot.receive(workflowRunEvent(s.gh, spec));
    }
    expect(s.gh.requests.length).toBe(mark); // decided from the payload: no request at all
    // Right title, branch and event, but another workflow file: only the configuration is read.
    await s.probot.receive(workflowRunEvent(s.gh, { id: 907, title: title(n), path: ".github/workflows/ci.yml" }));
    expect(s.callsSince(mark)).toEqual(["GET repos/get-content"]);
    expect(s.record(n)).toMatchObject({ stage: "tokens", issuanceComments: [{ runId: 777, pending: true }] });

    // A configured workflow file of another name is the one followed.
    s.gh.setConfig(ca.config + stringify({ tokens: { workflow: "ci.yml", jwks: tokenKey.jwks } }));
    const mark2 = s.mark();
    await s.probot.receive(workflowRunEvent(s.gh, { id: 908, title: title(n), path: TOKEN_WORKFLOW }));
    expect(s.callsSince(mark2)).toEqual(["GET repos/get-content"]);
  });

  it("reads issuance comments only from github-actions[bot]: a copy by a person or another bot costs nothing", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(777, run({ status: "completed", conclusion: "success" }));
    const genuine = await issuanceComment(s, n, 777, ["gw-1", "gw-2"]);
    const mark = s.mark();
    for (const user of ["mallory", { login: "evil-app[bot]", type: "Bot" as const }]) {
      const copy = s.gh.addComment(n, genuine.body, user);
      await s.probot.receive(commentEvent(s.gh, "created", copy));
    }
    expect(s.gh.requests.length).toBe(mark);
    await s.probot.receive(commentEvent(s.gh, "created", genuine));
    expect(s.record(n)).toMatchObject({ stage: "live", issuanceComments: [{ comment: genuine.id, accepted: true }] });
  });

  it("ignores a token run whose request is not an issue of this repository", async () => {
    const [s, n] = await inTokens();
    const mark = s.mark();
    await s.probot.receive(workflowRunEvent(s.gh, { id: 910, title: title(n + 40) }));
    expect(s.callsSince(mark)).toEqual(["GET repos/get-content", "GET issues/get"]);
    expect(s.writesSince(mark)).toEqual([]);
  });
});

describe("/reissue-tokens DEVICE|all REASON", () => {
  /** Live, with jane (the requester) also a configured reviewer. */
  async function live(): Promise<[Scenario, number]> {
    const [s, n] = await inTokens();
    s.gh.setConfig(
      ca.config.replace("logins: [rita]", "logins: [rita, jane]") + stringify({ tokens: { jwks: tokenKey.jwks } }),
    );
    s.gh.runs.set(777, run());
    await postIssuance(s, n, 777, ["gw-1", "gw-2"]);
    await complete(s, { id: 777, title: title(n), conclusion: "success" });
    expect(s.record(n).stage).toBe("live");
    return [s, n];
  }

  it("records a reissue for one device (any case) or all; the request stays live (its tokens still work) with needs: tokens; the next issuance clears it", async () => {
    const [s, n] = await live();
    const c = await s.say(n, "rita", "/reissue-tokens GW-2 device replaced after a break-in");
    let record = s.record(n);
    // Live while any device holds a live token (../shared/SPEC.md H); what is owed is the label.
    expect(record.stage).toBe("live");
    expect(record.reissueRequested).toEqual([
      {
        device: "gw-2",
        reason: "device replaced after a break-in",
        by: "rita",
        at: c.created_at,
        url: `https://github.com/acme/access-requests/issues/${n}#issuecomment-${c.id}`,
      },
    ]);
    expect(record.commands.at(-1)).toMatchObject({ name: "reissue-tokens", outcome: "accepted" });
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed" });
    expect(s.labels(n)).toEqual(["access: live", "needs: tokens"]);
    expect(s.gh.statusComment(n)!.body).toMatch(/asked to reissue tokens\\: GW\\-2 device replaced/);
    expect(s.replies(n)).toEqual([]);

    // While reissues wait, another device can be added; `all` adds the rest.
    await s.say(n, "tom", "/reissue-tokens all key rotation");
    record = s.record(n);
    expect(record.reissueRequested.map((r) => [r.device, r.reason])).toEqual([
      ["gw-2", "device replaced after a break-in"],
      ["gw-1", "key rotation"],
    ]);

    // The token workflow's next successful run satisfies the requests.
    s.gh.runs.set(781, run());
    await postIssuance(s, n, 781, ["gw-1", "gw-2"]);
    expect(s.record(n)).toMatchObject({ stage: "live", reissueRequested: expect.arrayContaining([]) });
    expect(s.record(n).reissueRequested).toHaveLength(2);
    await complete(s, { id: 781, title: title(n), conclusion: "success" });
    expect(s.record(n)).toMatchObject({ stage: "live", reissueRequested: [] });
    expect(s.labels(n)).toEqual(["access: live"]);
  });

  it("refuses non-reviewers, the requester, a wrong stage, a hold, unknown devices, a missing reason, and devices already waiting", async () => {
    const [s, n] = await live();
    const refusal = async (user: string, line: string, why: RegExp) => {
      await s.say(n, user, line);
      const reply = s.replies(n).at(-1)!;
      expect(reply).toMatch(new RegExp(`^@${user} \`${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\` was not run: `));
      expect(reply).toMatch(why);
      expect(s.record(n).commands.at(-1)).toMatchObject({ name: "reissue-tokens", outcome: "refused" });
    };
    await refusal("mallory", "/reissue-tokens gw-1 lost", /only reviewers can run `\/reissue-tokens`/);
    await refusal("jane", "/reissue-tokens gw-1 lost", /you opened this request, so you cannot advance it yourself/);
    await refusal(
      "rita",
      "/reissue-tokens gw-7 lost",
      /`gw-7` is not one of this request's devices \(`gw-1`, `gw-2`\)/,
    );
    await refusal("rita", "/reissue-tokens gw-1,gw-2 lost", /`gw-1,gw-2` is not one of this request's devices/);
    await refusal("rita", "/reissue-tokens gw-1", /name the device \(or `all`\) and give a reason/);
    await refusal("rita", "/reissue-tokens", /name the device \(or `all`\) and give a reason/);
    await s.say(n, "rita", "/hold customer reported a leak");
    await refusal("tom", "/reissue-tokens gw-1 lost", /the request is on hold \(by rita/);
    await s.say(n, "tom", "/unhold");
    await s.say(n, "rita", "/reissue-tokens gw-1 lost");
    await refusal("tom", "/reissue-tokens gw-1 again", /`gw-1` is already waiting for a new token/);
    await s.say(n, "tom", "/reissue-tokens all rotate");
    await refusal("tom", "/reissue-tokens ALL rotate", /every device is already waiting for a new token/);
    expect(s.record(n).reissueRequested.map((r) => r.device)).toEqual(["gw-1", "gw-2"]);
    expect(s.record(n).stage).toBe("live");
  });

  it("is refused before any token was issued, and the old /reissue is not a command", async () => {
    const [s, n] = await inTokens();
    await s.say(n, "rita", "/reissue-tokens gw-1 lost");
    expect(s.replies(n).at(-1)).toMatch(
      /the request is in stage \*\*tokens\*\*; `\/reissue-tokens` works only once tokens were issued/,
    );
    const mark = s.mark();
    await s.say(n, "rita", "/reissue gw-1 lost");
    expect(s.gh.requests.length).toBe(mark);
  });

  it("/help lists /reissue-tokens for reviewers, not for the requester", async () => {
    const [s, n] = await live();
    await s.say(n, "tom", "/help");
    expect(s.replies(n).at(-1)).toContain("| `/reissue-tokens DEVICE\\|all REASON` |");
    await s.say(n, "jane", "/help");
    expect(s.replies(n).at(-1)).not.toContain("/reissue-tokens");
  });
});

describe("what an issuance report may claim", () => {
  it("refuses, without asking GitHub about the run, tokens for a device outside the request or bound to an unrecorded certificate", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(781, run({ status: "completed", conclusion: "success" }));
    s.gh.runs.set(782, run({ status: "completed", conclusion: "success" }));
    const mark = s.mark();
    await postIssuance(s, n, 781, ["gw-1", "gw-9"]);
    await postIssuance(s, n, 782, ["gw-1", "gw-2"], { x5tS256: "Q".repeat(43) });
    expect(s.callsSince(mark)).not.toContain("GET actions/get-workflow-run-attempt");
    const record = s.record(n);
    expect(record).toMatchObject({ stage: "tokens", issuance: [] });
    expect(record.issuanceComments.map((j) => [j.runId, j.accepted, j.reason])).toEqual([
      [781, false, "it reports a token for gw-9, which is not a device of this request"],
      [
        782,
        false,
        "it reports a token for gw-1 bound to a certificate the app never recorded as valid for that device",
      ],
    ]);
  });

  it("refuses every report while tokens.jwks is unset, even from a successful run, and says how to set it", async () => {
    const [s, n] = await inTokens("");
    s.gh.runs.set(777, run({ status: "completed", conclusion: "success" }));
    const comment = await postIssuance(s, n, 777, ["gw-1", "gw-2"]);
    const record = s.record(n);
    expect(record.stage).toBe("tokens");
    expect(record.issuance).toEqual([]);
    expect(record.issuanceComments).toEqual([
      expect.objectContaining({ comment: comment.id, accepted: false, reason: expect.stringMatching(/tokens\.jwks/) }),
    ]);
    expect(s.gh.statusComment(n)!.body).toMatch(/No issuance report is accepted until .*tokens\.jwks/);
  });
});

describe("the issuance proof, when the configuration publishes the token key's JWKS", () => {
  let key: SigningKey;
  let other: SigningKey;
  beforeAll(async () => {
    const pem = (curve: string) =>
      generateKeyPairSync("ec", { namedCurve: curve }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    key = await loadSigningKey(pem("P-256"));
    other = await loadSigningKey(pem("P-256"));
  });
  const withJwks = () => stringify({ tokens: { jwks: key.jwks } });

  it("accepts a report whose proof verifies with the published key, and drops the unproven-report note", async () => {
    const [s, n] = await inTokens(withJwks());
    s.gh.runs.set(790, run({ status: "completed", conclusion: "success" }));
    const comment = await provenIssuanceComment(s, n, 790, ["gw-1", "gw-2"], key);
    await s.probot.receive(commentEvent(s.gh, "created", comment));
    expect(s.record(n)).toMatchObject({ stage: "live", issuanceComments: [{ comment: comment.id, accepted: true }] });
    expect(s.gh.statusComment(n)!.body).not.toContain("`tokens.jwks` is not set");
  });

  it("refuses a report with no proof, a proof by another key, or a proof over other content, even from a successful run", async () => {
    const [s, n] = await inTokens(withJwks());
    for (const id of [791, 792, 793]) s.gh.runs.set(id, run({ status: "completed", conclusion: "success" }));
    await postIssuance(s, n, 791, ["gw-1", "gw-2"], { unproven: true });
    const forged = await provenIssuanceComment(s, n, 792, ["gw-1", "gw-2"], other);
    await s.probot.receive(commentEvent(s.gh, "created", forged));
    // A genuine proof for one block, pasted onto another (a different jti).
    const genuine = issuanceBlock(s, n, 793, ["gw-1", "gw-2"], {});
    const proof = await signIssuanceProof(genuine, key);
    const swapped = { ...genuine, issued: genuine.issued.map((t) => ({ ...t, jti: `${t.jti}-x` })), proof };
    const spliced = s.gh.addComment(n, writeIssuanceBlock(swapped), WORKFLOW_BOT);
    await s.probot.receive(commentEvent(s.gh, "created", spliced));
    const record = s.record(n);
    expect(record).toMatchObject({ stage: "tokens", issuance: [] });
    expect(record.issuanceComments.map((j) => [j.runId, j.accepted, j.reason])).toEqual([
      [791, false, "the issuance block carries no proof"],
      [792, false, "the proof does not verify with the published keys"],
      [793, false, "the proof was signed for other content than the issuance block holds"],
    ]);
  });
});

describe("a report must be the run's own", () => {
  it("refuses a report naming a successful token run of another request, of another commit, or already reported", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(801, run({ status: "completed", conclusion: "success", request: n + 1 }));
    s.gh.runs.set(802, run({ status: "completed", conclusion: "success", head_sha: "d".repeat(40) }));
    s.gh.runs.set(803, run({ status: "completed", conclusion: "success" }));
    await postIssuance(s, n, 801, ["gw-1", "gw-2"]);
    await postIssuance(s, n, 802, ["gw-1", "gw-2"]);
    const genuine = await postIssuance(s, n, 803, ["gw-1", "gw-2"]);
    // The same run and part again, with other token ids: a replay, not a second issuance.
    await postIssuance(s, n, 803, ["gw-1", "gw-2"], { jti: "replayed" });
    const record = s.record(n);
    expect(record.issuanceComments.map((j) => [j.runId, j.accepted, j.reason])).toEqual([
      [
        801,
        false,
        `run 801 (attempt 1) is titled "Issue tokens for request #${n + 1}", not "Issue tokens for request #${n}"`,
      ],
      [802, false, "run 802 (attempt 1) ran at commit dddddddddddd, not bbbbbbbbbbbb as the report says"],
      [803, true, undefined],
      [803, false, `run 803 (attempt 1) part 1 was already reported in comment ${genuine.id}`],
    ]);
    expect(record.issuance.map((t) => t.jti)).toEqual(["803-1-0", "803-1-1"]);
  });
});

describe("a hold blocks every advance, and /unhold lets it happen", () => {
  it("never counts tokens a run completed while the request was on hold: still tokens at /unhold", async () => {
    const [s, n] = await inTokens();
    await s.say(n, "tom", "/hold security review of gw-2");
    s.gh.runs.set(810, run());
    await postIssuance(s, n, 810, ["gw-1", "gw-2"]);
    await complete(s, { id: 810, title: title(n), conclusion: "success" });
    expect(s.record(n)).toMatchObject({ stage: "tokens", hold: { by: "tom" } });
    expect(s.record(n).issuance).toHaveLength(2);
    expect(s.record(n).voidedRuns).toEqual([
      expect.objectContaining({
        runUrl: expect.stringMatching(/\/runs\/810$/),
        tokens: 2,
        blockedBy: expect.objectContaining({ kind: "hold", by: "tom" }),
      }),
    ]);
    await s.say(n, "rita", "/unhold");
    expect(s.record(n)).toMatchObject({ stage: "tokens", hold: null });
    expect(s.labels(n)).toEqual(["access: tokens", "needs: tokens"]);
  });

  it("lets a /reject written while a run was pending win over the run's later success, and tells the reviewer", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(811, run());
    await postIssuance(s, n, 811, ["gw-1", "gw-2"]); // the run is still in progress
    await s.say(n, "tom", "/reject the customer withdrew");
    expect(s.record(n).stage).toBe("rejected");
    await complete(s, { id: 811, title: title(n), conclusion: "success" });
    const record = s.record(n);
    expect(record.stage).toBe("rejected");
    expect(record.rejection).toMatchObject({ by: "tom" });
    expect(record.commands.at(-1)).toMatchObject({ name: "reject", outcome: "accepted" });
    expect(record.voidedRuns).toEqual([
      expect.objectContaining({ tokens: 2, blockedBy: expect.objectContaining({ kind: "reject", by: "tom" }) }),
    ]);
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(s.gh.statusComment(n)!.body).toMatch(/issued after the request was rejected/);
    expect(s.replies(n).at(-1)).toMatch(/^@tom .*run 811.*were issued after your `\/reject`.*do not count/s);
  });

  it("lets a /revoke-certification written while a run was pending win over the run's later success", async () => {
    const [s, n] = await inTokens();
    s.gh.runs.set(812, run());
    await postIssuance(s, n, 812, ["gw-1", "gw-2"]);
    await s.say(n, "rita", "/revoke-certification the network review was wrong");
    await complete(s, { id: 812, title: title(n), conclusion: "success" });
    const record = s.record(n);
    expect(record.stage).toBe("certification");
    expect(record.commands.at(-1)).toMatchObject({ name: "revoke-certification", outcome: "accepted" });
    expect(record.voidedRuns).toEqual([
      expect.objectContaining({ blockedBy: expect.objectContaining({ kind: "revoke", by: "rita" }) }),
    ]);
  });
});
