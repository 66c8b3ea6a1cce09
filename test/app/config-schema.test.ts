import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configJsonSchema, SCHEMA_PATH } from "../../scripts/generate-config-schema.js";

describe("published config JSON Schema", () => {
  it("is the one generated from the zod schema (run scripts/generate-config-schema.ts)", () => {
    expect(readFileSync(SCHEMA_PATH, "utf8")).toBe(configJsonSchema());
  });

  it("accepts a real config and names the field of a broken one", () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(configJsonSchema()));
    const good = parse(`
_extends: .github
reviewers: { teams: [acme/onerecord-reviewers], logins: [rita] }
labels:
  stages:
    live: { name: "access: live", color: "0b6623" }
checklist: [stage-testing, legal-agreements]
certificates: { pathPattern: "certs/{request}/{device}.pem", warnDays: 14 }
tokens: { lifetimeDays: 90 }
`);
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parse("checklist: [stage-testing, demo-day]\n"))).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe("/checklist/1");
    expect(validate(parse("reviewers: { team: [x/y] }\n"))).toBe(false);
  });
});

describe("label names", () => {
  it("refuses a configuration giving two labels one name (any case), naming the field", async () => {
    const { parseConfigText } = await import("../../src/config/parse.js");
    expect(() =>
      parseConfigText('labels:\n  stages:\n    live: { name: "Access: Tokens", color: "0b6623" }\n'),
    ).toThrow(/labels\.stages\.live: the label name "Access: Tokens" is also used by labels\.stages\.tokens/);
    expect(() => parseConfigText('labels:\n  onHold: { name: "needs: tokens", color: "d93f0b" }\n')).toThrow(
      /labels\.onHold: .*labels\.needs\.tokens/,
    );
    expect(
      parseConfigText('labels:\n  stages:\n    live: { name: "prod: live", color: "0b6623" }\n').labels.stages.live
        .name,
    ).toBe("prod: live");
  });
});

describe("checklistFields", () => {
  it("names the issue form's own field ids, and every default item reviews at least one", async () => {
    const { FIELD } = await import("../../src/app/intake/form.js");
    const { FORM_FIELD_IDS, DEFAULT_CHECKLIST_FIELDS, CHECKLIST_ITEMS } = await import("../../src/config/schema.js");
    expect([...FORM_FIELD_IDS].sort()).toEqual(Object.values(FIELD).sort());
    for (const item of CHECKLIST_ITEMS) expect(DEFAULT_CHECKLIST_FIELDS[item].length).toBeGreaterThan(0);
  });
});
