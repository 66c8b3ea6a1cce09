import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/parse.js";
import { STATUS_MARKER } from "../../src/record/codec.js";
import type { AccessRecord } from "../../src/record/schema.js";
import type { CommentData, IssueData } from "../../src/app/github/rest.js";
import { parseRequestForm } from "../../src/app/intake/parse.js";
import type { Observation } from "../../src/app/observe.js";
import { closeOrReopen, expectedCommentCount, plan } from "../../src/app/plan.js";
import { unseenLines } from "../../src/app/state/observed-lines.js";
import { formBody } from "./helpers/form.js";

/**
 * The planner on observations built here, without HTTP: what one event decides from what was
 * observed. The flows (test/app/*-flow.test.ts) drive the same code through webhooks.
 */
const BOT = "onerecord-access[bot]";
const config = { ...defaultConfig(), reviewers: { teams: [], logins: ["rita", "tom", "jane"] } };

function issue(extra: Partial<IssueData> = {}): IssueData {
  return {
    number: 7,
    html_url: "https://github.com/acme/access-requests/issues/7",
    body: formBody(),
    updated_at: "2026-01-01T00:00:00Z",
    state: "open",
    comments: 0,
    labels: [],
    user: { login: "jane" },
    ...extra,
  };
}

let nextId = 100;
function comment(by: string, body: string, extra: Partial<CommentData> = {}): CommentData {
  const id = ++nextId;
  const at = new Date(Date.UTC(2026, 0, 1, 1, 0, id)).toISOString();
  return {
    id,
    body,
    html_url: `https://github.com/acme/access-requests/issues/7#issuecomment-${id}`,
    created_at: at,
    updated_at: at,
    user: { login: by, type: by.endsWith("[bot]") ? "Bot" : "User" },
    ...extra,
  };
}

/**
 * The ledger of these tests: the record each status body was written with (the status comment
 * is a pure view, so the record is kept beside it, as the ledger keeps it).
 */
const ledger = new Map<string, AccessRecord>();

/** An observation as `observe` would make it from these comments (reviewers: the configured logins). */
function observation(comments: CommentData[], extra: Partial<Observation> = {}): Observation {
  const base = extra.issue ?? issue();
  const status = comments.find((c) => c.user?.login === BOT && c.body.includes(STATUS_MARKER)) ?? null;
  const prior = extra.prior !== undefined ? extra.prior : status ? (ledger.get(status.body) ?? null) : null;
  const unseen = unseenLines(comments, prior);
  const reviewers = new Map(unseen.lines.map((l) => [l.by.toLowerCase(), config.reviewers.logins.includes(l.by)]));
  return {
    repository: "acme/access-requests",
    config,
    botLogin: BOT,
    defaultBranch: "main",
    issue: base,
    comments,
    status,
    prior,
    source: {
      headSha: prior ? "blob-sha" : null,
      atHead: !!prior,
      rebuilding: !!status && !prior,
      incident: null,
    },
    setupProblem: null,
    observedAt: "2026-01-01T03:00:00Z",
    formWrittenAt: null,
    triggerComment: null,
    form: parseRequestForm(base.body),
    unseen,
    reviewers,
    pull: null,
    merged: null,
    rebuilt: null,
    rebuildFacts: null,
    issuance: { candidates: [], proofs: null, runs: new Map() },
    forceLabels: false,
    ...extra,
  };
}

/** The comments after a plan's writes, as the next event would list them (and its record kept). */
function afterWrite(comments: CommentData[], planned: ReturnType<typeof plan>): CommentData[] {
  const next =
    planned.status.kind === "create"
      ? [...comments, comment(BOT, planned.status.body)]
      : planned.status.kind === "update"
        ? comments.map((c) =>
            c.id === (planned.status as { id: number }).id
              ? { ...c, body: (planned.status as { body: string }).body }
              : c,
          )
        : comments;
  const status = next.find((c) => c.user?.login === BOT && c.body.includes(STATUS_MARKER));
  if (status && planned.record) ledger.set(status.body, planned.record);
  return next;
}

describe("plan", () => {
  it("answers a new valid request with a status comment, the certification labels and no reply", () => {
    const planned = plan(observation([]));
    expect(planned.status.kind).toBe("create");
    expect(planned.record).toMatchObject({ stage: "certification", requester: "jane", issue: 7 });
    expect(planned.issue?.labels).toEqual(expect.arrayContaining(["access: certification"]));
    expect(planned.replies).toEqual([]);
    expect(planned.ledger).toEqual({ previous: null, message: expect.stringMatching(/request #7/) });
  });

  it("changes nothing when nothing happened since the last write", () => {
    const comments = afterWrite([], plan(observation([])));
    const labelled = issue({
      labels: plan(observation([])).issue!.labels.map((name) => ({ name, color: null, description: null })),
    });
    const again = plan(observation(comments, { issue: labelled }));
    expect(again.status.kind).toBe("keep");
    expect(again.issue).toBeNull();
    expect(again.deletions).toEqual([]);
    expect(again.ledger).toBeNull();
  });

  it("refuses an outsider's command with a stable code and one reply, and records the code", () => {
    const start = afterWrite([], plan(observation([])));
    const planned = plan(observation([...start, comment("mallory", "/check stage-testing")]));
    expect(planned.record!.commands).toEqual([
      expect.objectContaining({ by: "mallory", outcome: "refused", refusal: "not-reviewer" }),
    ]);
    expect(planned.replies).toHaveLength(1);
    expect(planned.replies[0]).toMatch(/^@mallory `\/check stage-testing` was not run: only reviewers/);
  });

  it("walks ticks and an approval to certificates, refusing the requester's own approval", () => {
    let comments = afterWrite([], plan(observation([])));
    for (const item of config.checklist) {
      comments = [...comments, comment("rita", `/check ${item}`)];
      comments = afterWrite(comments, plan(observation(comments)));
    }
    comments = [...comments, comment("jane", "/approve-certification")];
    const selfApproval = plan(observation(comments));
    expect(selfApproval.record!.commands.at(-1)).toMatchObject({ outcome: "refused", refusal: "requester" });
    comments = [...afterWrite(comments, selfApproval), comment("tom", "/approve-certification looks right")];
    const approved = plan(observation(comments));
    expect(approved.record!.stage).toBe("certificates");
    expect(approved.record!.certification).toMatchObject({ by: "tom", note: "looks right" });
    expect(approved.replies).toEqual([]);
  });

  it("deletes duplicate status comments from a past race, keeping the oldest, and counts them", () => {
    const first = afterWrite([], plan(observation([])));
    const duplicate = comment(BOT, first[0]!.body);
    const planned = plan(observation([...first, duplicate]));
    expect(planned.deletions).toEqual([duplicate.id]);
    expect(planned.expectedComments).toBe(1);
  });

  it("does not reply while rebuilding from an unreadable record", () => {
    const broken = comment(BOT, `${STATUS_MARKER}\n<!-- onerecord-access:record v1 json:{not json} -->`);
    const planned = plan(
      observation([broken, comment("mallory", "/check stage-testing")], {
        prior: null,
        source: { headSha: null, atHead: false, rebuilding: true, incident: null },
      }),
    );
    expect(planned.status).toMatchObject({ kind: "update", id: broken.id });
    expect(planned.replies).toEqual([]);
  });

  it("keeps a labels repair asked by /status in an earlier round of the same event", () => {
    const comments = afterWrite([], plan(observation([])));
    const labelled = issue({
      labels: plan(observation([])).issue!.labels.map((name) => ({ name, color: null, description: null })),
    });
    expect(plan(observation(comments, { issue: labelled, forceLabels: true })).issue).not.toBeNull();
  });
});

describe("closeOrReopen", () => {
  it("closes on reaching live or rejected, reopens a live request sent back to tokens, else leaves the state alone", () => {
    expect(closeOrReopen("tokens", "live", "open")).toEqual({ state: "closed", stateReason: "completed" });
    expect(closeOrReopen("certification", "rejected", "open")).toEqual({ state: "closed", stateReason: "not_planned" });
    expect(closeOrReopen("live", "tokens", "closed")).toEqual({ state: "open", stateReason: "reopened" });
    // A live request sent back to certification (its approval revoked) waits for its approval again: reopened.
    expect(closeOrReopen("live", "certification", "closed")).toEqual({ state: "open", stateReason: "reopened" });
    expect(closeOrReopen("live", "live", "open")).toBeNull();
    expect(closeOrReopen("certificates", "tokens", "closed")).toBeNull();
    expect(closeOrReopen(null, "certification", "open")).toBeNull();
  });
});

describe("plan: what a line can have seen, and a record that cannot be kept", () => {
  it("refuses a tick and an approval written before the form version in effect (form-changed), once and for good", () => {
    const start = afterWrite([], plan(observation([])));
    const early = comment("rita", "/check network-review\n/approve-certification");
    // The form version in effect was written after rita's comment (its edit event came first).
    const planned = plan(observation([...start, early], { formWrittenAt: "2026-01-01T02:00:00Z" }));
    expect(planned.record!.commands).toEqual([
      expect.objectContaining({ name: "check", outcome: "refused", refusal: "form-changed", beforeForm: true }),
      expect.objectContaining({ name: "approve-certification", outcome: "refused", refusal: "form-changed" }),
    ]);
    expect(planned.replies[0]).toMatch(/the form changed after this tick was written/);
    expect(planned.replies[0]).toMatch(/the form changed after this approval was written; approve the current version/);
    // The fact is kept: on the next event the same lines are still refused.
    const next = plan(observation(afterWrite([...start, early], planned)));
    expect(next.record!.checklist).toEqual([]);
  });

  it("binds no tick while the form is not valid: an item reviewing form fields is refused, one reviewing none is not", () => {
    const broken = issue({ body: formBody({ networkPaths: ["not a network"] }) });
    const fields = { ...config.checklistFields, "legal-agreements": [] };
    const start = afterWrite([], plan(observation([], { issue: broken })));
    const ticks = comment("rita", "/check network-review\n/check legal-agreements");
    const planned = plan(
      observation([...start, ticks], { issue: broken, config: { ...config, checklistFields: fields } }),
    );
    expect(planned.record!.commands.map((c) => [c.args, c.outcome, c.refusal])).toEqual([
      ["network-review", "refused", "form-invalid"],
      ["legal-agreements", "accepted", undefined],
    ]);
  });

  it("advances nothing without a record key: a notice, no record, no labels, no replies", () => {
    const planned = plan(
      observation([comment("tom", "/approve-certification")], { setupProblem: "RECORD_SIGNING_KEY is not set" }),
    );
    expect(planned).toMatchObject({ record: null, ledger: null, issue: null, replies: [], acknowledge: [] });
    expect(planned.status).toMatchObject({
      kind: "create",
      body: expect.stringMatching(/cannot keep a signed record/),
    });
  });
});

describe("expectedCommentCount", () => {
  it("is the listing plus a created status comment less the deleted duplicates", () => {
    expect(expectedCommentCount(4, true, 0)).toBe(5);
    expect(expectedCommentCount(4, false, 2)).toBe(2);
  });
});
