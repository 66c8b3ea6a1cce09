import { EOL } from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseInputs, readInputs, type RawInputs } from "../../action/inputs.js";
import { signingKeySecretParts } from "../../action/issue-tokens/mask.js";
import { OneRecordError } from "../../src/errors.js";
import { signingSecret } from "../helpers/pki.js";
import { secretRuns } from "./issue-tokens/fixtures.js";
import { rawInputs } from "../helpers/action-inputs.js";

/** The token mode's inputs: required there, validated once, the key masked before anything else. */
const blank = rawInputs({ mode: "issue-tokens" });
const KEY = signingSecret("ES256").pem;
const valid = { ...blank, request: "7", "signing-key": KEY };

function failure(raw: RawInputs): OneRecordError {
  try {
    parseInputs(raw);
  } catch (error) {
    if (error instanceof OneRecordError) return error;
    throw error;
  }
  throw new Error("expected the inputs to be refused");
}

afterEach(() => vi.restoreAllMocks());

describe("issue-tokens inputs", () => {
  it("reads the request, the key and the optional ledger token", () => {
    expect(parseInputs(valid).issueTokens).toEqual({ request: 7, signingKey: KEY, recordsToken: undefined });
    expect(parseInputs({ ...valid, "records-token": " ghs_ledger " }).issueTokens?.recordsToken).toBe("ghs_ledger");
    expect(parseInputs({ ...valid, mode: "validate-certificates" }).issueTokens).toBeUndefined();
  });

  it("masks the ledger token before anything else", () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    });
    const inputs: Record<string, string> = { mode: "issue-tokens", request: "x", "records-token": "ghs_ledger_secret" };
    expect(() => readInputs((name) => inputs[name] ?? "")).toThrow(/Input "request"/);
    expect(lines).toContain(`::add-mask::ghs_ledger_secret${EOL}`);
  });

  it.each([
    [{ request: "" }, "request"],
    [{ request: "0" }, "request"],
    [{ request: "-3" }, "request"],
    [{ request: "7.5" }, "request"],
    [{ request: "#7" }, "request"],
    [{ "signing-key": "  " }, "signing-key"],
  ] as Array<[Partial<RawInputs>, string]>)("refuses %j, naming the input", (raw, name) => {
    const error = failure({ ...valid, ...raw });
    expect(error.field).toBe(name);
    expect(error.message).toMatch(new RegExp(`^Input "${name}": .*issue-tokens`));
  });

  it("never quotes the signing key in an error", () => {
    const error = failure({ ...valid, "signing-key": KEY, request: "" });
    expect(error.message).not.toContain(KEY.split("\n")[1]!);
    const bad = failure({ ...blank, request: "x", "signing-key": "s3cr3t-s3cr3t-s3cr3t" });
    expect(bad.message).not.toContain("s3cr3t");
  });

  it("masks the key, line by line and joined, before the inputs are validated", () => {
    const order: string[] = [];
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      order.push(chunk.toString());
      return true;
    });
    const inputs: Record<string, string> = {
      mode: "issue-tokens",
      request: "not a number",
      "signing-key": KEY,
    };
    expect(() => readInputs((name) => inputs[name] ?? "")).toThrow(/Input "request"/);
    stdout.mockRestore();
    const masks = order.filter((line) => line.startsWith("::add-mask::"));
    expect(masks.length).toBeGreaterThanOrEqual(3);
    // Every 20-character run of the key body is covered by some masked part.
    const parts = signingKeySecretParts(KEY);
    for (const run of secretRuns(KEY)) expect(parts.some((p) => p.includes(run))).toBe(true);
  });

  it("masks the private members of a JWK secret", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    const parts = signingKeySecretParts(JSON.stringify(jwk));
    expect(parts).toContain(jwk.d);
    expect(parts).not.toContain(jwk.x);
  });
});
