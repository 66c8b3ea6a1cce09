import { afterEach, describe, expect, it } from "vitest";
import { COMMENT_LIMIT } from "../../src/record/codec.js";
import { formBody } from "./helpers/form.js";
import { issueEvent } from "./helpers/payloads.js";
import { Scenario } from "./helpers/scenario.js";

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

const CERTIFICATION_LABELS = [
  "access: certification",
  "needs: account-review",
  "needs: certification",
  "needs: legal-agreements",
  "needs: network-review",
  "needs: stage-testing",
];

describe("intake", () => {
  it("answers a valid request with its first signed record, one status comment and the certification labels, in six requests", async () => {
    s = await Scenario.start();
    const mark = s.mark();
    const n = await s.open();
    // After the installation token and GET /app (once per process): config, the ledger's
    // protection, the ledger file's commits (none: its path never had one, so this is a new
    // request and not a deleted record), the comments (all of them: no record says how far they
    // were read), its first version — the first in the repository creates the ledger
    // branch as an orphan (PUT answers 404, then tree, commit, ref) — the status comment,
    // labels. Then, the first time only, the new labels get their colours.
    expect(s.callsSince(mark).slice(0, 11)).toEqual([
      "GET repos/get-content",
      "GET repos/get-branch-rules", // the ledger\'s protection
      "GET repos/list-commits",
      "GET issues/list-comments",
      "PUT repos/create-or-update-file-contents",
      "GET git/get-ref",
      "POST git/create-tree",
      "POST git/create-commit",
      "POST git/create-ref",
      "POST issues/create-comment",
      "PATCH issues/update",
    ]);
    expect(
      s
        .callsSince(mark)
        .slice(11)
        .every((c) => c === "PATCH issues/update-label"),
    ).toBe(true);
    expect(s.labels(n)).toEqual(CERTIFICATION_LABELS);
    expect(s.gh.labels.get("access: certification")).toMatchObject({
      color: "1d76db",
      description: "Certification in progress",
    });
    const record = s.record(n);
    expect(record).toMatchObject({
      stage: "certification",
      requester: "jane",
      request: { devices: ["gateway-01", "gateway-02"], certificateOption: 1 },
      form: { valid: true, applied: true },
    });
    const status = s.gh.statusComment(n)!.body;
    expect(status).toContain("### Next step");
    expect(status).toContain("`/approve-certification`");
    expect(s.gh.botComments(n)).toHaveLength(1);

    // A second request in the same repository: the branch and labels exist, exactly six requests.
    const again = s.mark();
    await s.open();
    expect(s.callsSince(again)).toEqual([
      "GET repos/get-content",
      "GET repos/get-branch-rules", // the ledger\'s protection
      "GET repos/list-commits",
      "GET issues/list-comments",
      "PUT repos/create-or-update-file-contents",
      "POST issues/create-comment",
      "PATCH issues/update",
    ]);
  });

  it("keeps an invalid request in requested / needs: request-info with precise messages, until the form is fixed", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: ["gw-1", "gw-1"], networkPaths: ["10.1.0.0/16"], option: "Option 9" });
    expect(s.labels(n)).toEqual(["access: requested", "needs: request-info"]);
    const record = s.record(n);
    expect(record.stage).toBe("requested");
    expect(record.request).toBeNull();
    expect(record.form.problems.map((p) => p.field)).toEqual(["devices", "certificate-option", "network-paths"]);
    const status = s.gh.statusComment(n)!.body;
    expect(status).toMatch(/line 2: "gw\\-1" is listed twice/);
    expect(status).toMatch(/unknown option "Option 9"/);
    expect(status).toMatch(/is a private range/);
    // The stage's name says what holds the request back.
    expect(status).toContain("## Production access request · Requested: form invalid\n");

    // Commands wait: certification cannot be approved on an invalid form.
    await s.say(n, "rita", "/approve-certification");
    expect(s.replies(n).at(-1)).toMatch(/the request form is not valid yet/);

    await s.editForm(n, {});
    expect(s.record(n)).toMatchObject({ stage: "certification", form: { valid: true } });
    expect(s.labels(n)).toEqual(CERTIFICATION_LABELS);
    expect(s.gh.botComments(n).filter((c) => c.body.includes("onerecord-access:status"))).toHaveLength(1);
    expect(s.record(n).formLog.map((f) => f.valid)).toEqual([false, true]);
    // What was missing stays in the trail after the fix: three problems kept, plain text, bounded.
    const [first, fixed] = s.record(n).formLog;
    expect(first!.problems).toEqual([
      expect.stringMatching(/^Device ids: line 2: "gw-1" is listed twice/),
      expect.stringMatching(/^Certificate option: unknown option "Option 9".{100,}…$/),
      expect.stringMatching(/^Network paths \(egress CIDRs\): line 1: "10\.1\.0\.0\/16" is a private range/),
    ]);
    expect(first!.problems!.every((p) => p.length <= 200)).toBe(true);
    expect(fixed!.problems).toBeUndefined();
    const trail = s.gh.statusComment(n)!.body.replace(/\\(.)/g, "$1"); // as GitHub shows it
    expect(trail).toMatch(/request submitted \(form invalid: Device ids: line 2: "gw-1" is listed twice/);
    expect(trail).not.toContain("incomplete");
  });

  it("says what is missing when there are no devices", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: "" });
    expect(s.record(n).form.problems).toEqual([
      { field: "devices", message: expect.stringContaining("no devices listed") },
    ]);
  });

  it("ignores ordinary issues without a single API call", async () => {
    s = await Scenario.start();
    const issue = s.gh.openIssue("The docs have a typo.");
    const mark = s.mark();
    await s.probot.receive(issueEvent(s.gh, "opened", issue.number));
    expect(s.gh.requests.length).toBe(mark);
    expect(s.gh.commentsOn(issue.number)).toHaveLength(0);
  });

  it("ignores title-only edits without an API call", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const mark = s.mark();
    await s.probot.receive(issueEvent(s.gh, "edited", n, { changes: { title: { from: "old" } } }));
    expect(s.gh.requests.length).toBe(mark);
  });

  it("survives duplicate delivery: the same webhook twice changes nothing the second time", async () => {
    s = await Scenario.start();
    const issue = s.gh.openIssue(formBody());
    const event = issueEvent(s.gh, "opened", issue.number);
    await s.probot.receive(event);
    const status = s.gh.statusComment(issue.number)!;
    const mark = s.mark();
    await s.probot.receive(event);
    // The old snapshot is noticed (the record's form is newer): the issue is re-read, nothing
    // written. The ledger head's commit is asked (who made it); it is the one this process wrote,
    // so its text is not read again.
    expect(s.callsSince(mark)).toEqual([
      "GET repos/get-content",
      "GET repos/get-branch-rules", // the ledger\'s protection
      "GET repos/list-commits",
      "GET issues/list-comments",
      "GET issues/get",
    ]);
    expect(s.gh.botComments(issue.number)).toEqual([status]);
  });

  it("puts hand-changed labels back: a person adding access: live moves nothing", async () => {
    s = await Scenario.start();
    const n = await s.open();
    s.gh.setIssueLabels(n, [...s.labels(n), "access: live", "priority"]);
    await s.probot.receive(
      issueEvent(s.gh, "labeled", n, { sender: { login: "mallory", type: "User" }, label: "access: live" }),
    );
    expect(s.labels(n)).toEqual([...CERTIFICATION_LABELS, "priority"].sort());
    expect(s.record(n).stage).toBe("certification");

    s.gh.setIssueLabels(n, ["priority"]);
    await s.probot.receive(
      issueEvent(s.gh, "unlabeled", n, {
        sender: { login: "mallory", type: "User" },
        label: "needs: legal-agreements",
      }),
    );
    expect(s.labels(n)).toEqual([...CERTIFICATION_LABELS, "priority"].sort());

    // Labels the app does not manage are not its business: no API call beyond the config.
    const mark = s.mark();
    s.gh.setIssueLabels(n, [...s.labels(n), "good first issue"]);
    await s.probot.receive(
      issueEvent(s.gh, "labeled", n, { sender: { login: "mallory", type: "User" }, label: "good first issue" }),
    );
    expect(s.callsSince(mark)).toEqual(["GET repos/get-content"]);
    // Its own label changes (a bot sender) are ignored outright.
    const mark2 = s.mark();
    await s.probot.receive(issueEvent(s.gh, "labeled", n, { sender: s.gh.bot, label: "access: certification" }));
    expect(s.gh.requests.length).toBe(mark2);
  });

  it("reports a broken config once, naming the field, and moves nothing", async () => {
    s = await Scenario.start("reviewers:\n  logins: [rita]\nchecklist: [stage-testing, demo-day]\n");
    const n = await s.open();
    const notices = s.gh.botComments(n);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.body).toContain("configuration is broken");
    expect(notices[0]!.body).toContain("`checklist.1`");
    expect(s.gh.statusComment(n)).toBeUndefined();
    expect(s.labels(n)).toEqual([]);

    await s.say(n, "rita", "/check stage-testing");
    await s.say(n, "rita", "/status");
    expect(s.gh.botComments(n)).toHaveLength(1); // not repeated
    expect(s.labels(n)).toEqual([]);

    // Fixed on the default branch: the next event applies the commands posted meanwhile.
    s.gh.setConfig("reviewers:\n  logins: [rita]\n");
    await s.say(n, "jane", "/status");
    expect(s.record(n).checklist.map((c) => c.item)).toEqual(["stage-testing"]);
  });

  it("reports unparseable YAML as a broken config", async () => {
    s = await Scenario.start("reviewers: [unclosed\n");
    const n = await s.open();
    expect(s.gh.botComments(n)[0]!.body).toMatch(/invalid YAML/);
  });

  it("keeps the status comment of a 500-device request under GitHub's limit, through certificates and tokens", async () => {
    s = await Scenario.start();
    const devices = Array.from({ length: 500 }, (_, i) => `edge-gateway-${String(i).padStart(4, "0")}.clinic-${i % 7}`);
    const n = await s.open({ devices });
    const record = s.record(n);
    expect(record.request!.devices).toHaveLength(500);
    const body = s.gh.statusComment(n)!.body;
    expect(body.length).toBeLessThan(COMMENT_LIMIT);
    expect(body).toContain("all 500 are listed in the issue");
  });
});
