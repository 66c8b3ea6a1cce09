import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { openApiSubset } from "../app/helpers/openapi-spec.js";

/**
 * Made once per run and handed to every test file (vitest `provide`/`inject`), where each file
 * used to make its own: the part of GitHub's OpenAPI description the fake GitHub checks requests
 * against (about a second per file to load whole), and the GitHub App's RSA private key Probot
 * signs its JWTs with (an RSA key takes from a tenth of a second to seconds to generate). Both
 * are made at test time; nothing is committed.
 */
declare module "vitest" {
  export interface ProvidedContext {
    /** A JSON file holding `openApiSubset()`. */
    openApiSubsetFile: string;
    /** PKCS#8 PEM of an RSA-2048 key: the test GitHub App's private key. */
    appPrivateKey: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "onerecord-tests-"));
  const file = join(dir, "openapi-subset.json");
  writeFileSync(file, JSON.stringify(openApiSubset()));
  project.provide("openApiSubsetFile", file);
  project.provide(
    "appPrivateKey",
    generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  );
  return () => rmSync(dir, { recursive: true, force: true });
}
