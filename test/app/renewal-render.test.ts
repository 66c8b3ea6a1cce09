import { describe, expect, it } from "vitest";
import { reminderComment } from "../../src/app/renewal/render.js";
import { defaultConfig } from "../../src/config/parse.js";
import { tokensRecord } from "../action/issue-tokens/fixtures.js";

/** What a renewal reminder tells the requester to do, by certificate option (issue 19; issue 20, option 2). */
describe("the renewal reminder's advice", () => {
  const reminder = {
    device: "gw-1",
    threshold: 30,
    due: "2027-01-01T00:00:00.000Z",
    at: "2026-12-02T00:00:00.000Z",
    renew: "certificate" as const,
  };

  it("asks an option-1 customer for the renewed certificate's pull request", () => {
    const text = reminderComment(tokensRecord([]), defaultConfig(), [reminder]);
    expect(text).toMatch(/commit the renewed certificate at `certificates\/7\/gw-1\.pem`/);
  });

  it("tells an option-2 customer that OneRecord obtains the new certificate", () => {
    const base = tokensRecord([]);
    const record = { ...base, request: { ...base.request!, certificateOption: 2 as const } };
    const text = reminderComment(record, defaultConfig(), [reminder]);
    expect(text).toMatch(
      /obtained by OneRecord as the first one \(option 2\): a OneRecord maintainer runs the `obtain-certificates\.yml` workflow/,
    );
    expect(text).not.toMatch(/commit the renewed certificate/);
  });
});
