import { fromMarkdown } from "mdast-util-from-markdown";
import { beforeEach, describe, expect, it, vi } from "vitest";

// The Markdown parser is wrapped so the tests can see what it is handed: bounded work is a
// property of the input the parser gets, never a timing.
const seen: string[] = [];
vi.mock("mdast-util-from-markdown", async (importOriginal) => {
  const real = await importOriginal<{ fromMarkdown: typeof fromMarkdown }>();
  return {
    ...real,
    fromMarkdown: (value: string, ...rest: unknown[]) => {
      seen.push(value);
      return (real.fromMarkdown as (v: string, ...r: unknown[]) => ReturnType<typeof fromMarkdown>)(value, ...rest);
    },
  };
});

const { COMMAND_LINE_LIMIT, COMMAND_SCAN_LIMIT, COMMAND_SCAN_LINES, CONTEXT_LINE_LIMIT, commentScan, parseCommands } =
  await import("../../src/app/commands/parse.js");

const names = (body: string) => parseCommands(body).map((c) => c.name);
const longest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));

/** Hostile comments (issue 10): each would take seconds to minutes in a full Markdown parse. */
const HOSTILE: Record<string, string> = {
  "quote run": `/status\n${">".repeat(65_000)}`,
  "spaced quotes": `/status\n${"> ".repeat(32_000)}`,
  "emphasis run": `/status\n${"*a".repeat(32_000)}`,
  "link openers": `/status\n${"[a](".repeat(16_000)}`,
  "nested lists": `/status\n${Array.from({ length: 250 }, (_, i) => `${" ".repeat(i * 2)}- x`).join("\n")}`,
  "command then quotes on one line": `/status ${">".repeat(65_000)}`,
  "10,000 command lines": "/status\n".repeat(8_000),
};

beforeEach(() => {
  seen.length = 0;
});

describe("bounded work per comment", () => {
  it("never parses a comment without a candidate command line (one of our names at a line start)", () => {
    expect(names(`/a${">".repeat(65_000)}`)).toEqual([]);
    expect(names(`/a\n${">".repeat(65_000)}`)).toEqual([]);
    expect(names(`hello\n/foo bar\n${"*a".repeat(30_000)}`)).toEqual([]);
    expect(seen).toEqual([]);
  });

  it("hands the parser at most COMMAND_SCAN_LIMIT characters, in lines of at most COMMAND_LINE_LIMIT", () => {
    for (const [name, body] of Object.entries(HOSTILE)) {
      seen.length = 0;
      expect(names(body)[0], name).toBe("status");
      expect(seen.length, name).toBe(1);
      expect(seen[0]!.length, name).toBeLessThanOrEqual(COMMAND_SCAN_LIMIT);
      expect(longest(seen[0]!), name).toBeLessThanOrEqual(COMMAND_LINE_LIMIT);
    }
  });

  // A hang guard, not a timing: before the limits, the first of these took over 30 s.
  it("parses every hostile comment (hang guard)", { timeout: 60_000 }, () => {
    for (const body of Object.values(HOSTILE)) expect(parseCommands(body).length).toBeGreaterThan(0);
  });

  it("parses only up to the paragraph of the last candidate line", () => {
    const body = `/status\n\nthanks\n\n${"x\n".repeat(3_000)}`;
    expect(names(body)).toEqual(["status"]);
    expect(seen).toEqual(["/status"]);
  });

  it("reads commands in the first COMMAND_SCAN_LIMIT characters only, never a line cut in two", () => {
    const filler = `${"x".repeat(99)}\n`.repeat(Math.ceil(COMMAND_SCAN_LIMIT / 100));
    expect(names(`/status\n\n${filler}\n/help`)).toEqual(["status"]);
    expect(names(`/status\n${"\nx".repeat(COMMAND_SCAN_LINES)}\n/help`)).toEqual(["status"]);
    const cut = "y".repeat(COMMAND_SCAN_LIMIT - 15);
    expect(parseCommands(`${cut}\n\n/check legal-agreements`)).toEqual([]);
  });

  it("cuts context lines short, command lines less so", () => {
    const reason = "r".repeat(400);
    expect(parseCommands(`${"x".repeat(1_000)}\n\n/hold ${reason}`)).toEqual([
      { name: "hold", args: reason, line: `/hold ${reason}` },
    ]);
    expect(seen[0]!.split("\n")[0]).toHaveLength(CONTEXT_LINE_LIMIT);
    // Markup past the cut no longer hides the line below it (both lines are the author's own).
    expect(names(`${"x".repeat(CONTEXT_LINE_LIMIT)} <!--\n/status\n-->`)).toEqual(["status"]);
    expect(names(`x <!--\n/status\n-->`)).toEqual([]);
  });

  it("keeps a setext underline after the candidate in view (a heading is not a command)", () => {
    expect(names("/status\n===")).toEqual([]);
    expect(names("/status\n---\n\n/help")).toEqual(["help"]);
  });

  it("tells, per comment, whether it holds commands, so a comment is parsed once", () => {
    expect(
      commentScan([
        { id: 1, body: "/status" },
        { id: 2, body: `/a${">".repeat(65_000)}` },
        { id: 3, body: null },
        { id: 4, body: "> /approve-certification" },
      ]),
    ).toEqual([
      { id: 1, hasCommands: true },
      { id: 2, hasCommands: false },
      { id: 3, hasCommands: false },
      { id: 4, hasCommands: false },
    ]);
  });
});
