import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApiSubset } from "../app/helpers/openapi-spec.js";

/**
 * Made once per run for every test file, where each file used to make its own: the part of
 * GitHub's OpenAPI description the fake GitHub checks requests against (about a second per file
 * to load whole), and the GitHub App's RSA private key Probot signs its JWTs with (an RSA key
 * takes from a tenth of a second to seconds to generate). Both are made at test time into a
 * private temporary folder, never committed, and removed after the run.
 *
 * They reach the test processes as environment variables naming the files (set here, before
 * vitest starts its workers), not through vitest's provide/inject: the helpers that read them
 * also run outside vitest (`npm run demo`, `npm run bench`), where they make their own.
 */
const OPENAPI_SUBSET_ENV = "ONERECORD_TEST_OPENAPI_SUBSET";
const APP_KEY_ENV = "ONERECORD_TEST_APP_KEY_FILE";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "onerecord-tests-"));
  const subset = join(dir, "openapi-subset.json");
  writeFileSync(subset, JSON.stringify(openApiSubset()));
  const key = join(dir, "app-key.pem");
  const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" });
  writeFileSync(key, pem, { mode: 0o600 });
  process.env[OPENAPI_SUBSET_ENV] = subset;
  process.env[APP_KEY_ENV] = key;
  return () => {
    delete process.env[OPENAPI_SUBSET_ENV];
    delete process.env[APP_KEY_ENV];
    rmSync(dir, { recursive: true, force: true });
  };
}
