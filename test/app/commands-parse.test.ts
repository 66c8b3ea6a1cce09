import { describe, expect, it } from "vitest";
import { mayContainCommand, parseCommands } from "../../src/app/commands/parse.js";

const names = (body: string) => parseCommands(body).map((c) => c.name);

describe("command grammar", () => {
  it("reads a command line with leading spaces, case-insensitively, with its arguments", () => {
    expect(parseCommands("  /CHECK legal-agreements signed today")).toEqual([
      { name: "check", args: "legal-agreements signed today", line: "/CHECK legal-agreements signed today" },
    ]);
  });

  it("matches names exactly: /approve-certification is never /approve, /approve is not ours", () => {
    expect(names("/approve-certification")).toEqual(["approve-certification"]);
    expect(names("/approve")).toEqual([]);
    expect(names("/approve-certificationx")).toEqual([]);
    expect(names("/approve-certification-now")).toEqual([]);
    expect(names("/foo bar")).toEqual([]);
    expect(names("/check\tstage-testing")).toEqual(["check"]);
  });

  it("runs several command lines in order, including in one paragraph", () => {
    expect(names("/check stage-testing\n/check legal-agreements\n\nthanks\n\n/hold waiting")).toEqual([
      "check",
      "check",
      "hold",
    ]);
  });

  it("ignores text that merely contains a command", () => {
    expect(names("please /approve-certification")).toEqual([]);
    expect(names("ok then\n  but /hold no")).toEqual([]);
  });

  it("ignores fenced code, indented code, quotes, lists and headings", () => {
    expect(names("```\n/approve-certification\n```")).toEqual([]);
    expect(names("~~~md\n/reject no\n~~~")).toEqual([]);
    expect(names("text\n\n    /approve-certification")).toEqual([]);
    expect(names("> /approve-certification")).toEqual([]);
    expect(names("> quoted\n/approve-certification")).toEqual([]); // lazy continuation of the quote
    expect(names("- /approve-certification")).toEqual([]);
    expect(names("# /approve-certification")).toEqual([]);
  });

  it("ignores HTML comments, inline code and escaped slashes", () => {
    expect(names("<!-- /approve-certification -->")).toEqual([]);
    expect(names("<!--\n/approve-certification\n-->")).toEqual([]);
    expect(names("hi <!--\n/approve-certification\n--> there")).toEqual([]);
    expect(names("`/approve-certification`")).toEqual([]);
    expect(names("ok `x\n/approve-certification` y")).toEqual([]);
    expect(names("\\/approve-certification")).toEqual([]);
  });

  it("reads a line inside emphasis or link text as a command: only code, quotes and HTML comments hide one", () => {
    expect(names("*note\n/status now*")).toEqual(["status"]);
    expect(names("[see\n/status now](https://example.com)")).toEqual(["status"]);
  });

  it("handles CRLF bodies and the cheap pre-filter", () => {
    expect(names("hello\r\n/status\r\n")).toEqual(["status"]);
    expect(mayContainCommand("no command here")).toBe(false);
    expect(mayContainCommand("x\n /help")).toBe(true);
    expect(mayContainCommand(null)).toBe(false);
  });
});
