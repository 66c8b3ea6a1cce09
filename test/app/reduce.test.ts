import { describe, expect, it } from "vitest";
import { reduce } from "../../src/app/state/reduce.js";
import type { ReduceInput } from "../../src/app/state/types.js";
import type { CommandName, CommandRecord, RequestContent } from "../../src/record/schema.js";

const request: RequestContent = {
  account: "Acme",
  contact: "j@acme.test",
  devices: ["a-1"],
  certificateOption: 1,
  networkPaths: ["8.8.4.0/24"],
  sha256: "1".repeat(64),
};
let id = 100;
function line(name: CommandName, by: string, args = "", reviewer = true): CommandRecord {
  id++;
  return {
    comment: id,
    index: 0,
    by,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
    name,
    args,
    reviewer,
    outcome: "accepted",
  };
}
function input(commands: CommandRecord[], extra: Partial<ReduceInput> = {}): ReduceInput {
  return {
    checklistItems: ["stage-testing", "legal-agreements"],
    requester: "jane",
    issueUrl: "https://github.com/acme/r/issues/1",
    form: { valid: true, request },
    priorRequest: null,
    commands,
    pullRequests: [],
    certificates: [],
    issuance: [],
    ...extra,
  };
}

describe("reduce", () => {
  it("is a function of the history, not of the order the lines were handed in", () => {
    const history = [
      line("check", "rita", "stage-testing"),
      line("hold", "tom", "wait"),
      line("check", "rita", "legal-agreements"),
      line("unhold", "tom"),
      line("check", "rita", "legal-agreements"),
      line("approve-certification", "tom"),
    ];
    const forward = reduce(input(history));
    const shuffled = reduce(input([history[3]!, history[0]!, history[5]!, history[1]!, history[4]!, history[2]!]));
    expect(shuffled).toEqual(forward);
    expect(forward.stage).toBe("certificates");
    expect(forward.commands.map((c) => c.outcome)).toEqual([
      "accepted",
      "accepted",
      "refused",
      "accepted",
      "accepted",
      "accepted",
    ]);
    expect(forward.commands.at(-1)!.requestSha256).toBe(request.sha256);
  });

  it("keeps an approval bound to the request it approved, whatever the form says later", () => {
    const history = [
      line("check", "rita", "stage-testing"),
      line("check", "rita", "legal-agreements"),
      { ...line("approve-certification", "tom"), requestSha256: request.sha256 },
    ];
    const edited = { ...request, devices: ["a-1", "a-2"], sha256: "2".repeat(64) };
    const later = reduce(input(history, { form: { valid: true, request: edited }, priorRequest: request }));
    expect(later).toMatchObject({ stage: "certificates", request: { devices: ["a-1"] }, formApplied: false });
    const broken = reduce(input(history, { form: { valid: false, request: null }, priorRequest: request }));
    expect(broken).toMatchObject({ stage: "certificates", request: { devices: ["a-1"] }, formApplied: false });
  });

  it("refuses by role at the line's position and never lets the requester approve", () => {
    const out = reduce(
      input([
        line("check", "mallory", "stage-testing", false),
        line("check", "jane", "stage-testing"),
        line("reject", "rita", ""),
      ]),
    );
    expect(out.commands.map((c) => c.refusal)).toEqual(["not-reviewer", "requester", "reason-missing"]);
    expect(out.stage).toBe("certification");
  });

  it("never counts tokens of a run that completed before any approval, and records a valid block for them", () => {
    const issued = {
      device: "a-1",
      jti: "j1",
      x5tS256: "x",
      expiresAt: "2027-01-01T00:00:00Z",
      runUrl: "https://github.com/acme/r/actions/runs/5",
      at: "2026-01-01T00:00:01Z",
    };
    const out = reduce(input([line("check", "rita", "stage-testing")], { issuance: [issued] }));
    expect(out.voidedRuns).toEqual([
      {
        runUrl: issued.runUrl,
        at: issued.at,
        tokens: 1,
        blockedBy: { kind: "not-approved", by: "onerecord-access", at: issued.at, url: issued.runUrl },
      },
    ]);
  });
});
