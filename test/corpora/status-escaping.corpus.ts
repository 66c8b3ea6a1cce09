import { describe, it } from "vitest";
import { statusRendersLiterally } from "../app/helpers/hostile-status.js";

/**
 * The status comment's escaping property over 300 random hostile values (each a few
 * milliseconds of rendering and two Markdown parses); `npm test` runs 25
 * (test/app/status-escaping.test.ts).
 */
describe("status comment: every user value is literal text", () => {
  it("property: any hostile string in any field renders as its literal text and nothing else (300 runs)", () => {
    statusRendersLiterally(300);
  });
});
