import { describe, expect, it } from "vitest";
import { parseInputs, type RawInputs } from "../../action/inputs.js";
import { OneRecordError } from "../../src/errors.js";
import { rawInputs } from "../helpers/action-inputs.js";

const blank = rawInputs();

function failure(raw: Partial<RawInputs>): OneRecordError {
  try {
    parseInputs({ ...blank, ...raw });
  } catch (error) {
    if (error instanceof OneRecordError) return error;
    throw error;
  }
  throw new Error("expected the inputs to be refused");
}

describe("parseInputs", () => {
  it("gives the documented defaults for empty inputs", () => {
    expect(parseInputs(blank)).toEqual({
      mode: "validate-certificates",
      paths: ["certificates/**"],
      changedOnly: undefined,
      validationTime: undefined,
      warnDays: undefined,
      config: ".github/onerecord-access.yml",
      githubToken: "",
    });
  });

  it("reads every input", () => {
    const inputs = parseInputs({
      mode: "validate-certificates",
      paths: "certificates/**\n  certs/*.pem  \n",
      "changed-only": "False",
      "validation-time": "2026-01-31T12:00:00Z",
      "warn-days": "14",
      config: "ops/access.yml",
      "github-token": "ghs_example",
      request: "",
      "signing-key": "",
      "records-token": "",
      "acme-eab-kid": "",
      "acme-eab-hmac": "",
      "acme-account-key": "",
    });
    expect(inputs.paths).toEqual(["certificates/**", "certs/*.pem"]);
    expect(inputs.changedOnly).toBe(false);
    expect(inputs.validationTime?.toISOString()).toBe("2026-01-31T12:00:00.000Z");
    expect(inputs.warnDays).toBe(14);
    expect(inputs.config).toBe("ops/access.yml");
  });

  it.each([
    [{ mode: "mint-tokens" }, "mode", /unsupported mode.*validate-certificates, issue-tokens/],
    [{ mode: "rm -rf" }, "mode", /unsupported mode/],
    [{ "changed-only": "yes" }, "changed-only", /true or false/],
    [{ "validation-time": "March 3" }, "validation-time", /ISO-8601/],
    [{ "validation-time": "2026-13-45T00:00:00Z" }, "validation-time", /ISO-8601/],
    [{ "warn-days": "-1" }, "warn-days", /whole number/],
    [{ "warn-days": "2.5" }, "warn-days", /whole number/],
    [{ "warn-days": "99999" }, "warn-days", /whole number/],
    [{ paths: "../outside/**" }, "paths", /inside the repository/],
    [{ paths: "/etc/*" }, "paths", /relative/],
    [{ paths: "!certificates/**" }, "paths", /negated/],
    [{ config: "../other/config.yml" }, "config", /inside the repository/],
  ] as Array<[Partial<RawInputs>, string, RegExp]>)("refuses %j, naming the input", (raw, name, message) => {
    const error = failure(raw);
    expect(error.code).toBe("input-invalid");
    expect(error.field).toBe(name);
    expect(error.message).toContain(`Input "${name}"`);
    expect(error.message).toMatch(message);
  });

  it("never echoes the token in an error", () => {
    // A token cannot fail validation today; make sure a future rule would not print it.
    const error = failure({ "github-token": "ghs_secret_value", "warn-days": "x" });
    expect(error.message).not.toContain("ghs_secret_value");
  });
});
