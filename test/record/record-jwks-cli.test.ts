import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/commands/record-jwks.js";
import { main } from "../../src/cli/dispatch.js";
import { parseConfigObject } from "../../src/config/parse.js";
import { loadRecordSigningKey } from "../../src/record/record-signing-key.js";
import { signingSecret } from "../helpers/pki.js";

const dir = mkdtempSync(join(tmpdir(), "record-jwks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function capture(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env });
  return { code, stdout, stderr };
}

describe("onerecord-access record-jwks", () => {
  it("prints the public JWKS of RECORD_SIGNING_KEY, ready for records.jwks", async () => {
    const secret = signingSecret("ES256");
    const out = await capture([], { RECORD_SIGNING_KEY: secret.pem });
    expect(out).toMatchObject({ code: 0, stderr: "" });
    const jwks = JSON.parse(out.stdout) as unknown;
    expect(jwks).toEqual((await loadRecordSigningKey(secret.pem)).jwks);
    expect(parseConfigObject({ records: { jwks } }).records.jwks).toEqual(jwks);
    expect(out.stdout).not.toContain((JSON.parse(secret.jwk) as { d: string }).d);
  });

  it("reads the key from --key FILE", async () => {
    const secret = signingSecret("EdDSA");
    const path = join(dir, "record.key");
    writeFileSync(path, secret.pem);
    const out = await capture(["--key", path]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ keys: [{ kty: "OKP", crv: "Ed25519", alg: "EdDSA" }] });
  });

  it("refuses an RSA key without showing it, and asks for a key when none is given", async () => {
    const secret = signingSecret("RS256");
    const refused = await capture([], { RECORD_SIGNING_KEY: secret.pem });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/RS256 key cannot sign records/);
    for (const line of secret.pem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")))
      expect(refused.stderr).not.toContain(line);
    expect((await capture([], {})).code).toBe(2);
    const pasted = await capture([secret.pem]);
    expect(pasted.code).toBe(2);
    expect(pasted.stderr).not.toContain(secret.pem.split("\n")[1]);
  });

  it("is a command of the CLI", async () => {
    let stdout = "";
    const code = await main(["record-jwks", "--help"], { stdout: (s) => (stdout += s), stderr: () => undefined });
    expect(code).toBe(0);
    expect(stdout).toContain("records.jwks");
  });
});
