/**
 * Publishes the JSON Schema of `onerecord-access audit --format json` exports:
 * `schema/audit-export.schema.json`, generated from the zod schema `audit verify` reads exports
 * with (src/audit/export-json.ts), so the two never disagree. Run
 * `npx tsx scripts/generate-audit-schema.ts`; `--check` fails when the committed file is stale (a
 * test runs the same comparison).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { auditExportSchema } from "../src/audit/export-json.js";

export const AUDIT_SCHEMA_PATH = resolve(dirname(fileURLToPath(import.meta.url)), "../schema/audit-export.schema.json");

export function auditJsonSchema(): string {
  const schema = z.toJSONSchema(auditExportSchema, { io: "output" }) as Record<string, unknown>;
  const document = {
    $schema: schema.$schema,
    $id: "https://github.com/onerecord/onerecord-access/schema/audit-export.schema.json",
    title: "onerecord-access audit export",
    description:
      "What `onerecord-access audit --format json` writes: the record keys trusted and how they entered the configuration, every request's signed ledger versions, the failures, and one row per event. Generated from src/audit/export-json.ts by scripts/generate-audit-schema.ts.",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = auditJsonSchema();
  if (process.argv.includes("--check")) {
    if (readFileSync(AUDIT_SCHEMA_PATH, "utf8") !== text) {
      console.error(`${AUDIT_SCHEMA_PATH} is stale: run npx tsx scripts/generate-audit-schema.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(AUDIT_SCHEMA_PATH, text);
    console.log(`wrote ${AUDIT_SCHEMA_PATH}`);
  }
}
