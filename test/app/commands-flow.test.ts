import { afterEach, describe, expect, it } from "vitest";
import { commentEvent } from "./helpers/payloads.js";
import { Scenario } from "./helpers/scenario.js";

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

async function started(): Promise<[Scenario, number]> {
  s = await Scenario.start();
  return [s, await s.open()];
}

describe("slash commands", () => {
  it("/check and /uncheck tick items with who, when and a link; labels follow", async () => {
    const [s, n] = await started();
    const c = await s.say(n, "tom", "/check legal-agreements signed by both parties");
    const record = s.record(n);
    expect(record.checklist).toEqual([
      {
        item: "legal-agreements",
        by: "tom",
        at: c.created_at,
        url: `https://github.com/acme/access-requests/issues/${n}#issuecomment-${c.id}`,
        note: "signed by both parties",
        // What the tick reviewed: the hashes of the fields legal-agreements covers.
        fields: {
          organization: expect.stringMatching(/^[0-9a-f]{64}$/),
          "account-id": expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      },
    ]);
    expect(s.labels(n)).not.toContain("needs: legal-agreements");
    expect(s.gh.statusComment(n)!.body).toMatch(
      /Legal agreements signed — signed by both parties \| ✅ done \| \[tom\]/,
    );

    await s.say(n, "rita", "/uncheck legal-agreements wrong request");
    expect(s.record(n).checklist).toEqual([]);
    expect(s.labels(n)).toContain("needs: legal-agreements");
    expect(s.replies(n)).toEqual([]);
  });

  it("an accepted command costs at most seven requests against the rate limit (the ledger read and write, and the reaction that acknowledges it), with team membership asked every time", async () => {
    const [s, n] = await started();
    // The first command of a team reviewer: the membership is looked up (GitHub's answer is
    // current); the configuration is revalidated (304: read at intake, unchanged since).
    const first = s.mark();
    const c = await s.say(n, "tom", "/check stage-testing");
    // The ledger head's commit is asked (who made it; the one this process wrote, so its text is
    // not read again) and the new version written with compare-and-swap before the views.
    expect(s.answersSince(first)).toEqual([
      "GET repos/get-content 304",
      "GET repos/get-branch-rules 304", // the ledger\'s protection, unchanged
      "GET repos/list-commits 200",
      "GET issues/list-comments 200",
      "GET teams/get-membership-for-user-in-org 200",
      "PUT repos/create-or-update-file-contents 200",
      "PATCH issues/update-comment 200",
      "PATCH issues/update 200",
      "POST reactions/create-for-issue-comment 201",
    ]);
    expect(s.rateLimitedSince(first)).toBe(7);
    // The reviewer sees the app took it: a reaction under the command's comment.
    expect(s.gh.reactions.get(c.id)).toEqual(["+1"]);
    // The next one asks again (never a remembered answer), as a conditional request.
    const next = s.mark();
    await s.say(n, "tom", "/check legal-agreements");
    expect(s.answersSince(next)).toEqual([
      "GET repos/get-content 304",
      "GET repos/get-branch-rules 304", // the ledger\'s protection, unchanged
      "GET repos/list-commits 200",
      "GET issues/list-comments 200",
      "GET teams/get-membership-for-user-in-org 304",
      "PUT repos/create-or-update-file-contents 200",
      "PATCH issues/update-comment 200",
      "PATCH issues/update 200",
      "POST reactions/create-for-issue-comment 201",
    ]);
    expect(s.rateLimitedSince(next)).toBe(6);
    // A configured reviewer login needs no membership lookup.
    const login = s.mark();
    await s.say(n, "rita", "/check account-review");
    // Eight HTTP requests, two of them 304s (the configuration and the ledger's rules): six count.
    expect(s.callsSince(login)).toHaveLength(8);
    expect(s.rateLimitedSince(login)).toBe(6);
    // A refused command gets its reply instead, and no reaction.
    const refused = await s.say(n, "mallory", "/check network-review");
    expect(s.gh.reactions.get(refused.id)).toBeUndefined();
  });

  it("a reviewer removed from the team loses the power on the next command", async () => {
    const [s, n] = await started();
    await s.say(n, "tom", "/check stage-testing");
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing"]);
    s.gh.teams.get("acme/onerecord-reviewers")!.delete("tom");
    await s.say(n, "tom", "/check legal-agreements");
    expect(s.record(n).commands.at(-1)).toMatchObject({ by: "tom", reviewer: false, outcome: "refused" });
    expect(s.replies(n).at(-1)).toMatch(/only reviewers can run `\/check`/);
    s.gh.addTeamMember("acme/onerecord-reviewers", "tom");
    await s.say(n, "tom", "/check legal-agreements");
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing", "legal-agreements"]);
  });

  it("sees a changed configuration on the next event (revalidated, never assumed)", async () => {
    const [s, n] = await started();
    await s.say(n, "rita", "/check stage-testing");
    s.gh.setConfig("reviewers:\n  logins: [tom]\n");
    const mark = s.mark();
    await s.say(n, "rita", "/check legal-agreements");
    expect(s.answersSince(mark)[0]).toBe("GET repos/get-content 200");
    expect(s.replies(n).at(-1)).toMatch(/only reviewers can run `\/check`/);
  });

  it("a comment without a command line costs no request at all", async () => {
    const [s, n] = await started();
    const mark = s.mark();
    await s.say(n, "tom", "Meeting is booked for Tuesday.\n\n> /approve-certification\n\n```\n/reject no\n```");
    expect(s.gh.requests.length).toBe(mark);
  });

  it("refuses non-reviewers, naming them and quoting the command safely", async () => {
    const [s, n] = await started();
    await s.say(n, "mallory", "/check legal-agreements `x` ``y``");
    const reply = s.replies(n).at(-1)!;
    expect(reply).toMatch(
      /^@mallory ``` \/check legal-agreements `x` ``y`` ``` was not run: only reviewers can run `\/check`/,
    );
    expect(reply.split("\n").some((line) => line.trimStart().startsWith("/"))).toBe(false);
    expect(s.record(n).checklist).toEqual([]);
    expect(s.record(n).commands.at(-1)).toMatchObject({ by: "mallory", outcome: "refused", reviewer: false });
  });

  it("never lets the requester advance their own request, even as a reviewer", async () => {
    s = await Scenario.start();
    const n = await s.open({}, "rita");
    await s.say(n, "rita", "/check stage-testing");
    expect(s.replies(n).at(-1)).toMatch(/you opened this request/);
    await s.say(
      n,
      "tom",
      "/check stage-testing\n/check legal-agreements\n/check account-review\n/check network-review",
    );
    await s.say(n, "rita", "/approve-certification");
    expect(s.replies(n).at(-1)).toMatch(/`\/approve-certification` was not run: you opened this request/);
    expect(s.record(n).stage).toBe("certification");
    await s.say(n, "tom", "/approve-certification demo went well");
    expect(s.record(n)).toMatchObject({ stage: "certificates", certification: { by: "tom", note: "demo went well" } });
  });

  it("compares people by GitHub user id: a requester who renames their account still cannot approve", async () => {
    s = await Scenario.start();
    const n = await s.open({}, "tom");
    await s.tickAll(n);
    // tom renames his account; GitHub keeps his user id, and his team membership follows him.
    const renamed = { login: "tom-renamed", type: "User" as const, id: s.gh.userId("tom") };
    s.gh.addTeamMember("acme/onerecord-reviewers", "tom-renamed");
    await s.say(n, renamed, "/approve-certification");
    expect(s.record(n)).toMatchObject({ stage: "certification", requester: "tom", requesterId: s.gh.userId("tom") });
    expect(s.record(n).commands.at(-1)).toMatchObject({ by: "tom-renamed", outcome: "refused", refusal: "requester" });
    expect(s.replies(n).at(-1)).toMatch(/you opened this request/);
  });

  it("unticks an item when the form field it reviewed changes: the approval has to wait for a new tick", async () => {
    s = await Scenario.start();
    const n = await s.open({ networkPaths: ["8.8.4.0/24"] });
    await s.tickAll(n);
    await s.editForm(n, { networkPaths: ["1.1.1.0/24"] });
    let record = s.record(n);
    expect(record.checklist.map((c) => c.item)).toEqual(["stage-testing", "legal-agreements", "account-review"]);
    expect(record.voidedTicks).toEqual([
      expect.objectContaining({ item: "network-review", by: "rita", changed: ["network-paths"] }),
    ]);
    expect(s.gh.statusComment(n)!.body).toMatch(/network\\-review.*no longer counts.*network\\-paths/);
    await s.say(n, "tom", "/approve-certification");
    expect(s.record(n).commands.at(-1)).toMatchObject({ outcome: "refused", refusal: "items-open" });
    expect(s.record(n).stage).toBe("certification");
    await s.say(n, "rita", "/check network-review 1.1.1.0/24 reviewed");
    await s.say(n, "tom", "/approve-certification");
    record = s.record(n);
    expect(record.stage).toBe("certificates");
    expect(record.voidedTicks).toEqual([]);
  });

  it("/approve-certification needs every item ticked, then moves to certificates", async () => {
    const [s, n] = await started();
    await s.say(n, "rita", "/check stage-testing");
    await s.say(n, "tom", "/approve-certification");
    expect(s.replies(n).at(-1)).toMatch(
      /these checklist items are not ticked yet: `legal-agreements`, `account-review`, `network-review`/,
    );
    await s.tickAll(n);
    expect(s.replies(n).at(-1)).toMatch(/`stage-testing` is already ticked \(by rita/);
    expect(s.labels(n)).toEqual(["access: certification", "needs: certification"]);
    await s.say(n, "tom", "/approve-certification");
    const record = s.record(n);
    expect(record.stage).toBe("certificates");
    expect(record.certification).toMatchObject({ by: "tom", requestSha256: record.request!.sha256 });
    expect(record.transitions).toEqual([
      expect.objectContaining({ from: "certification", to: "certificates", by: "tom" }),
    ]);
    expect(s.labels(n)).toEqual(["access: certificates", "needs: certificates"]);
    const status = s.gh.statusComment(n)!.body;
    expect(status).toContain(
      "certificates/1/&lt;device-id&gt;.pem".replace(/&lt;|&gt;/g, (m) => (m === "&lt;" ? "<" : ">")),
    );
    expect(status).toMatch(/stage certification → certificates/);
  });

  it("refuses commands in the wrong stage", async () => {
    const [s, n] = await started();
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    await s.say(n, "rita", "/check stage-testing\n/approve-certification\n/reissue-tokens all lost");
    const reply = s.replies(n).at(-1)!;
    expect(reply).toMatch(/these commands from \[your comment\]/);
    expect(reply).toMatch(/- `\/check stage-testing`: the request is in stage \*\*certificates\*\*/);
    expect(reply).toMatch(/- `\/approve-certification`: the request is in stage \*\*certificates\*\*/);
    expect(reply).toMatch(
      /- `\/reissue-tokens all lost`: the request is in stage \*\*certificates\*\*; `\/reissue-tokens` works only once tokens were issued/,
    );
  });

  it("/hold blocks every advance until /unhold; the hold label shows it", async () => {
    const [s, n] = await started();
    await s.say(n, "rita", "/hold waiting for the DPA");
    expect(s.labels(n)).toContain("access: on-hold");
    expect(s.gh.statusComment(n)!.body).toMatch(/\*\*On hold\*\*.*waiting for the DPA/);
    await s.tickAll(n);
    expect(s.replies(n).at(-1)).toMatch(/the request is on hold \(by rita/);
    await s.say(n, "rita", "/hold again");
    expect(s.replies(n).at(-1)).toMatch(/already on hold/);
    await s.say(n, "tom", "/unhold");
    expect(s.labels(n)).not.toContain("access: on-hold");
    await s.tickAll(n);
    await s.say(n, "tom", "/hold legal found an issue");
    await s.say(n, "tom", "/approve-certification");
    expect(s.replies(n).at(-1)).toMatch(/on hold/);
    expect(s.record(n).stage).toBe("certification");
    await s.say(n, "rita", "/unhold\n/approve-certification");
    expect(s.record(n).stage).toBe("certificates");
  });

  it("/revoke-certification goes back to certification; /reject closes the issue as not planned", async () => {
    const [s, n] = await started();
    await s.say(n, "rita", "/revoke-certification no");
    expect(s.replies(n).at(-1)).toMatch(/certification is not approved/);
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    await s.say(n, "rita", "/revoke-certification");
    expect(s.replies(n).at(-1)).toMatch(/give a reason/);
    await s.say(n, "rita", "/revoke-certification network paths changed");
    expect(s.record(n)).toMatchObject({ stage: "certification", certification: null });
    expect(s.labels(n)).toEqual(["access: certification", "needs: certification"]);

    await s.say(n, "mallory", "/reject spam");
    expect(s.record(n).stage).toBe("certification");
    await s.say(n, "rita", "/reject solution stores PHI unencrypted");
    expect(s.record(n)).toMatchObject({
      stage: "rejected",
      rejection: { by: "rita", reason: "solution stores PHI unencrypted" },
    });
    expect(s.labels(n)).toEqual(["access: rejected"]);
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "not_planned" });
    await s.say(n, "tom", "/approve-certification");
    expect(s.replies(n).at(-1)).toMatch(/the request was rejected by rita/);
  });

  it("/help lists what this user may run, with preconditions; /status repairs comment and labels", async () => {
    const [s, n] = await started();
    await s.say(n, "mallory", "/help");
    const help = s.replies(n).at(-1)!;
    expect(help).toMatch(/^@mallory you are not a reviewer here/);
    expect(help).toContain("`/status`");
    expect(help).not.toContain("`/check ITEM [note]`");
    await s.say(n, "jane", "/help");
    expect(s.replies(n).at(-1)).toMatch(/^@jane you are the requester/);
    await s.say(n, "tom", "/help");
    const reviewerHelp = s.replies(n).at(-1)!;
    expect(reviewerHelp).toContain("`/approve-certification [note]`");
    expect(reviewerHelp).toContain("once every checklist item is ticked");

    // Someone vandalises the status comment and the labels; /status by anyone repairs both.
    const status = s.gh.statusComment(n)!;
    const good = status.body;
    status.body = good.replace("### Next step", "### Whatever");
    s.gh.setIssueLabels(n, ["access: live"]);
    s.gh.labels.get("access: certification")!.color = "000000";
    await s.say(n, "mallory", "/status");
    expect(s.gh.statusComment(n)!.body).toContain("### Next step");
    expect(s.gh.statusComment(n)!.body).not.toContain("### Whatever");
    expect(s.labels(n)).toContain("access: certification");
    expect(s.labels(n)).not.toContain("access: live");
    expect(s.gh.labels.get("access: certification")!.color).toBe("1d76db");
  });

  it("ignores unknown commands, commands in quotes, code, HTML comments and inline code", async () => {
    const [s, n] = await started();
    const mark = s.mark();
    await s.say(n, "rita", "/approve it\n/foo bar");
    expect(s.gh.requests.length).toBe(mark);
    await s.say(
      n,
      "rita",
      "> /check stage-testing\n\n```\n/check legal-agreements\n```\n\n<!-- /check account-review -->\n\n`/check network-review`\n\n    /approve-certification\n\nsee /status",
    );
    expect(s.gh.requests.length).toBe(mark);
    expect(s.record(n).checklist).toEqual([]);
  });

  it("runs several command lines of one comment in order", async () => {
    const [s, n] = await started();
    await s.say(
      n,
      "rita",
      "Thanks all!\n\n/check stage-testing\n/check legal-agreements\n/check account-review\n/check network-review\n/approve-certification great demo",
    );
    expect(s.record(n)).toMatchObject({ stage: "certificates", certification: { by: "rita", note: "great demo" } });
  });

  it("never executes an edited comment, and tells its author once", async () => {
    const [s, n] = await started();
    await s.tickAll(n);
    // Posted without a command (no webhook work), then edited into an approval.
    const c = await s.say(n, "tom", "/aprove-certification");
    s.gh.editComment(c.id, "/approve-certification");
    await s.probot.receive(
      commentEvent(s.gh, "edited", s.gh.comments.get(c.id)!, { changes: { body: { from: "/aprove-certification" } } }),
    );
    expect(s.record(n).stage).toBe("certification");
    expect(s.replies(n).at(-1)).toMatch(/was edited before the app read it, so none of its commands ran/);
    const replies = s.replies(n).length;
    await s.say(n, "jane", "/status");
    expect(s.replies(n)).toHaveLength(replies);

    // A command the app already ran keeps its recorded meaning when the comment is edited later.
    const hold = await s.say(n, "rita", "/hold checking references");
    s.gh.editComment(hold.id, "/unhold");
    await s.probot.receive(commentEvent(s.gh, "edited", s.gh.comments.get(hold.id)!));
    await s.say(n, "jane", "/status");
    expect(s.record(n).hold).toMatchObject({ reason: "checking references" });
  });

  it("uses the body as created when a comment was edited before its created webhook was handled", async () => {
    const [s, n] = await started();
    const c = s.gh.addComment(n, "/check stage-testing", "rita");
    const created = commentEvent(s.gh, "created", c);
    s.gh.editComment(c.id, "/check stage-testing\n/check legal-agreements");
    await s.probot.receive(created);
    expect(s.record(n).checklist.map((i) => i.item)).toEqual(["stage-testing"]);
  });

  it("ignores comments by bots, the app's own above all", async () => {
    const [s, n] = await started();
    const mark = s.mark();
    await s.say(n, { login: "dependabot[bot]", type: "Bot" }, "/check stage-testing");
    await s.say(n, s.gh.bot, "/check stage-testing");
    await s.say(n, { login: "sneaky-bot", type: "Bot" }, "/approve-certification");
    expect(s.gh.requests.length).toBe(mark);
    await s.say(n, "jane", "/status");
    expect(s.record(n).commands.map((c) => c.by)).toEqual(["jane"]);
  });

  it("names unknown checklist items", async () => {
    const [s, n] = await started();
    await s.say(n, "rita", "/check demo");
    expect(s.replies(n).at(-1)).toMatch(
      /`demo` is not a checklist item: use one of `stage-testing`, `legal-agreements`, `account-review`, `network-review`/,
    );
    await s.say(n, "rita", "/check");
    expect(s.replies(n).at(-1)).toMatch(/name the item/);
  });
});
