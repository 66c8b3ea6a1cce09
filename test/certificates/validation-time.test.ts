import { describe, expect, it } from "vitest";
import { parseInputs } from "../../action/inputs.js";
import { parseValidationTime } from "../../src/certificates/index.js";
import { OneRecordError } from "../../src/errors.js";
import { rawInputs } from "../helpers/action-inputs.js";

/**
 * The validation time users name (CLI --at, the Action's validation-time) is refused unless it is
 * on the calendar: Date.parse would roll 2026-02-30 over to March 2 and judge at that time.
 */

const IMPOSSIBLE = [
  "2026-02-30",
  "2026-02-30T12:00:00Z",
  "2026-02-29",
  "2100-02-29T00:00:00Z",
  "2026-04-31T00:00:00Z",
  "2026-06-31",
  "2026-00-10",
  "2026-13-01",
  "2026-01-00",
  "2026-01-32",
  "2026-01-01T24:00:00Z",
  "2026-01-01T23:60:00Z",
  "2026-01-01T12:00:00+24:00",
  "March 3",
  "1",
];

describe("parseValidationTime", () => {
  it.each(IMPOSSIBLE)("refuses %s", (text) => {
    expect(parseValidationTime(text)).toBeUndefined();
  });

  it.each([
    ["2026-02-28", "2026-02-28T00:00:00.000Z"],
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
    ["2000-02-29T12:00:00Z", "2000-02-29T12:00:00.000Z"],
    ["2026-12-31T23:59:59.999Z", "2026-12-31T23:59:59.999Z"],
    ["2026-01-31T12:00:00+02:00", "2026-01-31T10:00:00.000Z"],
    ["2026-01-31T12:00:00-0530", "2026-01-31T17:30:00.000Z"],
  ])("reads %s", (text, iso) => {
    expect(parseValidationTime(text)?.toISOString()).toBe(iso);
  });
});

describe("the Action's validation-time input", () => {
  const blank = rawInputs();

  it.each(["2026-02-30", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z"])("refuses %s, naming the input", (value) => {
    let error: unknown;
    try {
      parseInputs({ ...blank, "validation-time": value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OneRecordError);
    expect((error as OneRecordError).message).toMatch(/Input "validation-time": .*ISO-8601/);
  });

  it("reads a real date, and none", () => {
    expect(parseInputs({ ...blank, "validation-time": "2024-02-29T06:00:00Z" }).validationTime?.toISOString()).toBe(
      "2024-02-29T06:00:00.000Z",
    );
    expect(parseInputs(blank).validationTime).toBeUndefined();
  });
});
