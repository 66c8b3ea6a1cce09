/**
 * Publishes the config schema for editors: `schema/onerecord-access.schema.json`, generated from
 * the zod schema the app and the Action validate with (src/config/schema.ts), so the two never
 * disagree. Run `npx tsx scripts/generate-config-schema.ts`; `--check` fails when the committed
 * file is stale (a test runs the same comparison).
 *
 * Editors pick it up with `# yaml-language-server: $schema=<url of the file>` at the top of
 * `.github/onerecord-access.yml`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { configSchema } from "../src/config/schema.js";

export const SCHEMA_PATH = resolve(dirname(fileURLToPath(import.meta.url)), "../schema/onerecord-access.schema.json");

export function configJsonSchema(): string {
  // "input": what people write (every field optional, defaults applied by the app), not the
  // resolved output. Checks that JSON Schema cannot say (a pin matching its PEM) stay in zod.
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  // Probot's config loader reads `_extends` (inherit another repository's file) and removes it
  // before the app validates; editors should accept it too.
  (schema.properties as Record<string, unknown>)._extends = {
    type: "string",
    description: "Probot: inherit from another repository's .github/onerecord-access.yml (owner/repo or repo)",
  };
  const document = {
    $schema: schema.$schema,
    $id: "https://github.com/onerecord/onerecord-access/schema/onerecord-access.schema.json",
    title: ".github/onerecord-access.yml",
    description:
      "Configuration of OneRecord production access: reviewers, labels, checklist items, certificate layout and extra CAs, token settings, the signed record ledger. Generated from src/config/schema.ts by scripts/generate-config-schema.ts.",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = configJsonSchema();
  if (process.argv.includes("--check")) {
    const current = readFileSync(SCHEMA_PATH, "utf8");
    if (current !== text) {
      console.error(`${SCHEMA_PATH} is stale: run npx tsx scripts/generate-config-schema.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_PATH, text);
    console.log(`wrote ${SCHEMA_PATH}`);
  }
}
