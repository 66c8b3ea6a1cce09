/**
 * Generates the pinned CA allowlist, src/certificates/allowlist/roots.json, from committed and
 * dated inputs only — never from the running Node's root store:
 *
 * - scripts/allowlist/input.ts: the reviewed pins (brands, purposes, facts), REMOVED, NOT_PINNED;
 * - scripts/allowlist/baseline.json: the frozen baseline, the roots pinned before (with PEMs);
 * - ../shared/ccadb/brand-roots.json: the CCADB snapshot (read in place, never copied), against
 *   which every fingerprint and name is checked and from which carried roots are described.
 *
 *   npm run allowlist                     # rewrite roots.json, print a review
 *   npm run allowlist -- --check          # exit 1 if roots.json differs from a regeneration
 *   npm run allowlist -- --ccadb FILE     # another (newer) CCADB snapshot
 *
 * Without the snapshot, --check prints a SKIPPED line and exits 0 (a clone without ../shared).
 */
import "reflect-metadata";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { AllowlistFile } from "../src/certificates/allowlist/types.js";
import {
  GENERATED_BY,
  GenerationError,
  baselineSchema,
  ccadbSchema,
  differences,
  generate,
  serialize,
  type GeneratorInput,
} from "./allowlist/generate.js";
import { BRANDS, BRAND_NOTES, CCADB_SOURCE, CLIENT_AUTH_ENDS, NOT_PINNED, REMOVED, ROOTS } from "./allowlist/input.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUTPUT = path.resolve(HERE, "../src/certificates/allowlist/roots.json");
const BASELINE = path.resolve(HERE, "allowlist/baseline.json");
export const DEFAULT_CCADB = path.resolve(HERE, "../../shared/ccadb/brand-roots.json");

export const INPUT: GeneratorInput = {
  brands: BRANDS,
  notes: BRAND_NOTES,
  roots: ROOTS,
  removed: REMOVED,
  notPinned: NOT_PINNED,
  clientAuthEnds: CLIENT_AUTH_ENDS,
  ccadbSource: CCADB_SOURCE,
};

/** The generation from the committed inputs and a CCADB snapshot file. */
export function generateFromFiles(ccadbFile: string): AllowlistFile {
  const baseline = baselineSchema.parse(JSON.parse(readFileSync(BASELINE, "utf8")));
  const ccadb = ccadbSchema.parse(JSON.parse(readFileSync(ccadbFile, "utf8")));
  return generate(INPUT, baseline, ccadb);
}

function report(data: AllowlistFile): void {
  for (const group of data.brands) {
    console.log(`${group.brand}: ${group.roots.length} root(s)`);
    for (const fingerprint of group.roots) {
      const root = data.roots.find((r) => r.fingerprintSha256 === fingerprint)!;
      const carried = root.carried ? ", carried in the file" : "";
      console.log(`  ${root.name} — ${root.purpose}${carried}  ${root.fingerprintSha256}`);
    }
  }
  console.log("\nIn CCADB for client authentication, deliberately not pinned:");
  for (const entry of NOT_PINNED) console.log(`  ${entry.name}: ${entry.why}`);
  if (data.removed.length > 0) {
    console.log("\nRemoved (explicitly):");
    for (const entry of data.removed) console.log(`  ${entry.name} (${entry.date}): ${entry.reason}`);
  }
}

function check(fresh: AllowlistFile): number {
  const committed = existsSync(OUTPUT) ? (JSON.parse(readFileSync(OUTPUT, "utf8")) as AllowlistFile) : undefined;
  if (committed && readFileSync(OUTPUT, "utf8") === serialize(fresh)) {
    console.log(`allowlist --check: roots.json equals a regeneration (${fresh.roots.length} roots)`);
    return 0;
  }
  console.error(`allowlist --check: roots.json differs from what ${GENERATED_BY} generates:`);
  for (const line of committed ? differences(committed, fresh) : ["roots.json is missing"]) console.error(`  ${line}`);
  console.error("run `npm run allowlist`, review the diff and commit it");
  return 1;
}

function main(argv: string[]): number {
  let values: { check?: boolean; ccadb?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { check: { type: "boolean" }, ccadb: { type: "string" } },
      strict: true,
    }));
  } catch {
    console.error(`usage: tsx ${GENERATED_BY} [--check] [--ccadb brand-roots.json]`);
    return 2;
  }
  const ccadbFile = path.resolve(values.ccadb ?? DEFAULT_CCADB);
  if (!existsSync(ccadbFile)) {
    if (values.check) {
      console.log(
        `allowlist --check: SKIPPED — no CCADB snapshot at ${ccadbFile} (../shared is absent); nothing compared`,
      );
      return 0;
    }
    console.error(`no CCADB snapshot at ${ccadbFile}; pass --ccadb FILE`);
    return 1;
  }
  let fresh: AllowlistFile;
  try {
    fresh = generateFromFiles(ccadbFile);
  } catch (error) {
    if (!(error instanceof GenerationError) && !(error instanceof Error && error.name === "ZodError")) throw error;
    console.error(`allowlist: cannot generate: ${error.message}`);
    return 1;
  }
  if (values.check) return check(fresh);
  writeFileSync(OUTPUT, serialize(fresh));
  report(fresh);
  console.log(`\nwrote ${path.relative(process.cwd(), OUTPUT)}; review the diff before committing`);
  return 0;
}

// Run only when executed, so the functions above can be imported (e.g. by a test).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
