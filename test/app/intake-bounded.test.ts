import { parseIssue } from "@github/issue-parser";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { formBody } from "./helpers/form.js";

// The issue-form parser is wrapped so the tests see whether (and with what) it is called:
// bounded work is a property of its input, never a timing.
const handed: string[] = [];
vi.mock("@github/issue-parser", async (importOriginal) => {
  const real = await importOriginal<{ parseIssue: typeof parseIssue }>();
  return {
    ...real,
    parseIssue: (body: string, ...rest: unknown[]) => {
      handed.push(body);
      return (real.parseIssue as (b: string, ...r: unknown[]) => ReturnType<typeof parseIssue>)(body, ...rest);
    },
  };
});

const { FORM_BODY_LIMIT, FORM_HEADING_MARKS_LIMIT, FORM_HEADING_LINE_LIMIT, parseRequestForm } =
  await import("../../src/app/intake/parse.js");

/** Issue bodies that take seconds in the issue-form parser's section regex (issue 10). */
const HOSTILE: Record<string, string> = {
  "one 64,000-character line of '### '": "### ".repeat(16_000),
  "a heading then 64,000 spaces": `### ${" ".repeat(64_000)}x`,
  "hashes without a newline": "#".repeat(64_000),
  "a valid form with a hostile tail": `${formBody()}\n\n${"### ".repeat(15_000)}`,
};

beforeEach(() => {
  handed.length = 0;
});

describe("bounded work per issue body", () => {
  it("refuses a hostile body by its size and shape before the parser's regex runs", () => {
    for (const [name, body] of Object.entries(HOSTILE)) {
      handed.length = 0;
      const result = parseRequestForm(body);
      expect(handed, name).toEqual([]);
      expect(result.recognized && result.valid, name).toBe(false);
    }
    expect(parseRequestForm("x".repeat(FORM_BODY_LIMIT + 1))).toEqual({ recognized: false });
    expect(handed).toEqual([]);
  });

  it("names the problem when the body carries the form's headings", () => {
    const result = parseRequestForm(HOSTILE["a valid form with a hostile tail"]);
    expect(result).toMatchObject({ recognized: true, valid: false });
    expect(result.recognized && result.problems.map((p) => p.message).join("\n")).toMatch(/cannot be read as the form/);
  });

  it("still reads a valid form within the limits, long lines without headings included", () => {
    const body = formBody({ accountStructure: "Two sites, one tenant; # marks a note. ".repeat(200) });
    expect(parseRequestForm(body)).toMatchObject({ recognized: true, valid: true });
    expect(handed).toHaveLength(1);
    expect(FORM_HEADING_MARKS_LIMIT).toBeGreaterThanOrEqual(50);
    expect(FORM_HEADING_LINE_LIMIT).toBeGreaterThanOrEqual(200);
  });

  // A hang guard, not a timing: before the guard, the first body took seconds.
  it("handles every hostile body (hang guard)", { timeout: 60_000 }, () => {
    for (const body of Object.values(HOSTILE)) expect(parseRequestForm(body)).toBeDefined();
  });
});
