import { describe, expect, it } from "vitest";
import { authorize, type CommandInput } from "../../src/app/commands/authorize.js";
import { COMMAND_REFUSAL_CODES, type CommandRefusalCode } from "../../src/app/commands/refusals.js";
import { replyForComment } from "../../src/app/commands/reply.js";
import type { FoldState } from "../../src/app/state/types.js";
import type { CommandName, RequestContent } from "../../src/record/schema.js";

/** `authorize` decides by code; the words come from reply.ts alone. */
const request: RequestContent = {
  account: "acme",
  contact: "j@acme.test",
  devices: ["gw-1", "gw-2"],
  certificateOption: 1,
  networkPaths: ["8.8.4.0/24"],
  sha256: "1".repeat(64),
};
const stamp = { by: "tom", at: "2026-01-01T00:00:00Z", url: "https://github.com/a/r/issues/1#issuecomment-1" };
const context = { checklistItems: ["stage-testing", "legal-agreements"], requester: { login: "jane", id: 5 } };

function state(extra: Partial<FoldState> = {}): FoldState {
  return {
    stage: "certification",
    request,
    checklist: new Map(),
    certification: null,
    hold: null,
    rejection: null,
    ended: null,
    revocations: [],
    reviews: [],
    certificates: [],
    issuance: [],
    reissue: [],
    transitions: [],
    ...extra,
  };
}
function run(name: CommandName, args = "", extra: Partial<CommandInput> = {}, s = state()) {
  return authorize({ name, args, by: "rita", reviewer: true, ...extra }, s, context);
}
function code(decision: ReturnType<typeof run>): CommandRefusalCode | "ok" {
  return decision.ok ? "ok" : decision.code;
}

describe("authorize", () => {
  it("refuses with a stable code for each reason", () => {
    const ticked = new Map([["stage-testing", { item: "stage-testing", ...stamp }]]);
    const approved = { ...stamp, requestSha256: request.sha256 };
    const cases: Array<[CommandRefusalCode, ReturnType<typeof run>]> = [
      ["not-reviewer", run("check", "stage-testing", { reviewer: false })],
      ["requester", run("approve-certification", "", { by: "Jane" })],
      ["rejected", run("hold", "x", {}, state({ stage: "rejected", rejection: { ...stamp, reason: "no" } }))],
      ["item-missing", run("check")],
      ["unknown-item", run("check", "nope")],
      ["wrong-stage", run("check", "stage-testing", {}, state({ stage: "tokens" }))],
      ["on-hold", run("check", "stage-testing", {}, state({ hold: { ...stamp, reason: "wait" } }))],
      ["already-ticked", run("check", "stage-testing", {}, state({ checklist: ticked }))],
      ["not-ticked", run("uncheck", "stage-testing")],
      ["form-invalid", run("approve-certification", "", {}, state({ stage: "requested" }))],
      ["items-open", run("approve-certification", "", {}, state({ checklist: ticked }))],
      ["reason-missing", run("reject")],
      ["not-approved", run("revoke-certification", "why")],
      ["already-on-hold", run("hold", "again", {}, state({ hold: { ...stamp, reason: "wait" } }))],
      ["not-on-hold", run("unhold")],
      ["live", run("reject", "late", {}, state({ stage: "live" }))],
      ["reissue-arguments", run("reissue-tokens", "gw-1", {}, state({ stage: "live" }))],
      ["unknown-device", run("reissue-tokens", "gw-9 lost", {}, state({ stage: "live" }))],
      ["already-waiting", run("reissue-tokens", "gw-1 lost", {}, state({ stage: "live", certification: approved }))],
      [
        "form-changed",
        run(
          "approve-certification",
          "",
          { beforeForm: true },
          state({ checklist: new Map(context.checklistItems.map((item) => [item, { item, ...stamp }])) }),
        ),
      ],
      ["form-changed", run("check", "stage-testing", { beforeForm: true })],
      ["revoke-arguments", run("revoke-tokens", "gw-1", {}, state({ stage: "live" }))],
      ["nothing-to-revoke", run("revoke-tokens", "gw-1 lost", {}, state({ stage: "live" }))],
      ["not-reviewer-or-requester", run("revoke-tokens", "gw-1 lost", { reviewer: false, by: "mallory" })],
      ["not-requester", run("keys-received", "", { reviewer: true, by: "rita" })],
      ["ended", run("revoke-tokens", "gw-1 lost", {}, state({ stage: "ended", ended: { ...stamp, reason: "over" } }))],
    ];
    for (const [expected, decision] of cases) expect([expected, code(decision)]).toEqual([expected, expected]);
    // Every code is one a reader can find; the two not above come from reduce (request-changed)
    // and from a revoke after issuance (tokens-issued, covered by the issuance flow).
    const covered = new Set<string>([...cases.map(([c]) => c), "request-changed", "tokens-issued"]);
    expect([...COMMAND_REFUSAL_CODES].filter((c) => !covered.has(c))).toEqual([]);
  });

  it("lets anyone run /status and /help, even on a rejected request", () => {
    const rejected = state({ stage: "rejected", rejection: { ...stamp, reason: "no" } });
    expect(code(run("status", "", { reviewer: false }, rejected))).toBe("ok");
    expect(code(run("help", "", { reviewer: false }, rejected))).toBe("ok");
  });

  it("reads a bound approval's stage as certification when the form broke since", () => {
    const ticked = new Map(context.checklistItems.map((item) => [item, { item, ...stamp }]));
    const broken = state({ stage: "requested", checklist: ticked });
    expect(code(run("approve-certification", "", {}, broken))).toBe("form-invalid");
    const bound = authorize({ name: "approve-certification", args: "", by: "rita", reviewer: true }, broken, {
      ...context,
      boundApproval: true,
    });
    expect(code(bound)).toBe("ok");
  });

  it("words a refusal in the reply from its code, escaping what the person typed", () => {
    const decision = run("check", "@everyone");
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    const reply = replyForComment(
      "rita",
      "https://github.com/a/r/issues/1#issuecomment-2",
      [{ name: "check", args: "@everyone", outcome: "refused", why: decision }],
      null,
    );
    expect(reply).toBe(
      "@rita `/check @everyone` was not run: `@everyone` is not a checklist item: use one of `stage-testing`, `legal-agreements`.",
    );
  });
});
