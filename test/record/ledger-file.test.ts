import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_LEDGER_FILE_BYTES, parseLedgerFile } from "../../src/record/ledger-file.js";

/**
 * Reading a ledger file costs bounded work whatever someone with push access commits there
 * (issue 18): nesting is judged by a linear scan before any JSON is parsed, so `[[[[…]]]]`
 * within the size limit is refused without building a single array.
 */
afterEach(() => vi.restoreAllMocks());

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("parseLedgerFile bounds nesting before parsing", () => {
  it("refuses deeply nested JSON within the size limit as not-jws, without calling JSON.parse", () => {
    const parse = vi.spyOn(JSON, "parse");
    const text = nested(Math.floor(MAX_LEDGER_FILE_BYTES / 2) - 1);
    expect(text.length).toBeLessThanOrEqual(MAX_LEDGER_FILE_BYTES);
    expect(parseLedgerFile(text)).toMatchObject({ ok: false, code: "not-jws" });
    expect(parse).not.toHaveBeenCalled();
  });

  it.each([
    ["nested objects", `{"protected":{"a":{"b":{"c":"d"}}},"payload":"e","signature":"f"}`],
    ["nested arrays in a member", `{"protected":[["a"]],"payload":"e","signature":"f"}`],
  ])("refuses %s (a flattened JWS is one object of strings) before parsing", (_, text) => {
    const parse = vi.spyOn(JSON, "parse");
    expect(parseLedgerFile(text)).toMatchObject({ ok: false, code: "not-jws" });
    expect(parse).not.toHaveBeenCalled();
  });

  it("counts brackets inside strings as text, not nesting", () => {
    // Not base64url, so refused later, but by the shape check after parsing, not the depth scan.
    const parse = vi.spyOn(JSON, "parse");
    const text = JSON.stringify({ protected: "[[[[{{{{", payload: "a", signature: "b" });
    expect(parseLedgerFile(text)).toMatchObject({
      ok: false,
      code: "not-jws",
      reason: expect.stringMatching(/base64url/),
    });
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it("still reads a well-formed flattened JWS, with escaped quotes in between", () => {
    expect(parseLedgerFile(`{ "protected": "YQ", "payload": "Yg", "signature": "Yw" }\n`)).toEqual({
      ok: true,
      file: { protected: "YQ", payload: "Yg", signature: "Yw" },
    });
    expect(parseLedgerFile(`{"protected":"\\"[","payload":"b","signature":"c"}`)).toMatchObject({ ok: false });
  });
});
