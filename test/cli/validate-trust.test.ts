import "reflect-metadata";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/dispatch.js";
import { AT, makeLeaf, makeRoot, pemFile, privateKeySamples, type PrivateKeySample } from "../helpers/pki.js";

/**
 * `validate --trust FILE` as a customer uses it: a bundle, a key by mistake, a leaf by mistake.
 * In-process through the real dispatcher, from the folder of the files (test/cli/validate.test.ts
 * also runs the command as a child process).
 */
async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(["validate", "--at", AT.toISOString(), ...args], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  } finally {
    process.chdir(before);
  }
}

let dir: string;
let key: PrivateKeySample;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "cli-trust-"));
  const first = await makeRoot({ cn: "Bundle Root 1" });
  const second = await makeRoot({ cn: "Bundle Root 2" });
  const leaf = await makeLeaf(second, { cn: "gateway-9" });
  key = privateKeySamples().find((s) => s.label === "PKCS#8 PEM (EC)")!;
  writeFileSync(path.join(dir, "bundle.pem"), pemFile(first, second));
  writeFileSync(path.join(dir, "device.pem"), pemFile(leaf));
  writeFileSync(path.join(dir, "with-key.pem"), Buffer.concat([Buffer.from(first.pem), Buffer.from(key.bytes)]));
  writeFileSync(path.join(dir, "leaf-as-root.pem"), pemFile(leaf));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("validate --trust FILE", () => {
  it("trusts every certificate of a PEM bundle (the second root anchors the device)", async () => {
    const run = await cli(["--trust", "bundle.pem", "device.pem"], dir);
    expect(run.stdout).toContain("1 valid, 0 invalid");
    expect(run.code).toBe(0);
  });

  it("refuses a file holding a private key, exit 2, without echoing it", async () => {
    const run = await cli(["--trust", "with-key.pem", "device.pem"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("this is a private key");
    for (const secret of key.secrets) expect(run.stderr + run.stdout).not.toContain(secret);
  });

  it("refuses a non-CA certificate as an anchor with a clear message, exit 2", async () => {
    const run = await cli(["--trust", "leaf-as-root.pem", "device.pem"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"CN=gateway-9" is not a CA certificate (it says CA:FALSE)');
  });
});
