import { describe, expect, it } from "vitest";
import { rebuiltFacts } from "../../src/app/ledger/rebuild.js";
import type { StateChange } from "../../src/app/github/rest.js";

const BOT = "onerecord-access[bot]";
const AT = "2026-12-01T00:00:00Z";
const closed = (by: string, reason: string | null, at = "2026-11-01T00:00:00Z"): StateChange => ({
  event: "closed",
  by,
  at,
  stateReason: reason,
});

describe("rebuiltFacts: what a lost record's rebuild starts from (pure)", () => {
  it("takes the newest closing by the app as not planned for a rejection, whatever happened after", () => {
    const changes: StateChange[] = [
      closed(BOT, "not_planned", "2026-10-01T00:00:00Z"),
      { event: "reopened", by: "mallory", at: "2026-10-02T00:00:00Z", stateReason: "reopened" },
      closed(BOT, "not_planned", "2026-10-03T00:00:00Z"),
      { event: "reopened", by: "mallory", at: "2026-10-04T00:00:00Z", stateReason: "reopened" },
    ];
    expect(rebuiltFacts(changes, "open", BOT, AT)).toEqual({
      at: AT,
      issueState: "open",
      everClosed: true,
      rejectedAt: "2026-10-03T00:00:00Z",
    });
  });

  it("counts only the app's own closings as not planned (a person closing it proves nothing; names compared case-insensitively)", () => {
    const held = { at: AT, issueState: "closed", everClosed: true };
    expect(rebuiltFacts([closed("mallory", "not_planned")], "closed", BOT, AT)).toEqual(held);
    expect(rebuiltFacts([closed(BOT, "completed")], "closed", BOT, AT)).toEqual(held);
    expect(rebuiltFacts([closed("OneRecord-Access[bot]", "not_planned")], "closed", BOT, AT)).toMatchObject({
      rejectedAt: "2026-11-01T00:00:00Z",
    });
  });

  it("marks an open issue that was ever closed, by anyone (a rejection of a closed issue closes nothing)", () => {
    const changes: StateChange[] = [
      closed("mallory", "completed"),
      { event: "reopened", by: "mallory", at: "2026-11-02T00:00:00Z", stateReason: "reopened" },
    ];
    expect(rebuiltFacts(changes, "open", BOT, AT)).toEqual({ at: AT, issueState: "open", everClosed: true });
    expect(rebuiltFacts([], "open", BOT, AT)).toEqual({ at: AT, issueState: "open" });
  });

  it("marks a timeline too long to read as incomplete", () => {
    expect(rebuiltFacts(null, "open", BOT, AT)).toEqual({ at: AT, issueState: "open", incomplete: true });
  });
});
