import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { AUDIT_SCHEMA_PATH, auditJsonSchema } from "../../scripts/generate-audit-schema.js";
import { auditExport } from "../../src/audit/export-json.js";

/** The published JSON Schema of audit exports is current, and an export the CLI writes fits it. */
describe("schema/audit-export.schema.json", () => {
  it("is the schema audit verify reads exports with (npx tsx scripts/generate-audit-schema.ts)", () => {
    expect(readFileSync(AUDIT_SCHEMA_PATH, "utf8")).toBe(auditJsonSchema());
  });

  it("accepts an export and refuses one with a row missing a column", () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(auditJsonSchema()));
    const row = {
      request: 1,
      time: "2026-01-01T00:00:00Z",
      actor: "tom",
      actorId: "7",
      action: "/approve-certification",
      cause: "https://github.com/acme/requests/issues/1#issuecomment-5",
      formVersion: "a".repeat(64),
      device: "",
      x5tS256: "",
      jti: "",
      outcome: "accepted",
    };
    const exported = auditExport(
      { requests: [{ issue: 1, verified: true, versions: [] }], failures: [], rows: [row] },
      {
        repository: "acme/requests",
        ledger: { repository: "acme/requests", branch: "onerecord-access/records" },
        producedAt: "2026-01-02T00:00:00Z",
        producedBy: "onerecord-access test",
        since: null,
        keys: [],
      },
    );
    expect(validate(exported), JSON.stringify(validate.errors)).toBe(true);
    const { outcome: _dropped, ...partial } = row;
    expect(validate({ ...exported, rows: [partial] })).toBe(false);
  });
});
