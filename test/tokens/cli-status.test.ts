import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as verifyToken } from "../../src/cli/commands/verify-token.js";
import { defaultConfig } from "../../src/config/parse.js";
import { loadRecordSigningKey, type RecordSigningKey } from "../../src/record/record-signing-key.js";
import {
  buildDeviceClaims,
  loadSigningKey,
  readDeviceCertificate,
  signDeviceToken,
  signStatusList,
} from "../../src/tokens/index.js";
import { makeLeaf, makeRoot, signingSecret, validFor } from "../helpers/pki.js";

const { issuer: ISSUER, audience: AUDIENCE } = defaultConfig().tokens;

/** `verify-token --status-list FILE|URL [--records-jwks FILE]`: the verdict, never the token. */
describe("CLI: verify-token --status-list", () => {
  let dir: string;
  let server: Server;
  let listUri: string;
  let recordKey: RecordSigningKey;
  const tokens: string[] = [];
  let privatePem = "";
  const path = (name: string) => join(dir, name);

  async function cli(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await verifyToken(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    for (const token of tokens) expect(stdout + stderr).not.toContain(token.split(".")[2]);
    expect(stdout + stderr).not.toContain("PRIVATE KEY");
    return { code, stdout, stderr };
  }
  const base = (idx: number) => ["--jwks", path("jwks.json"), "--cert", path("gw.pem"), path(`token-${idx}.jwt`)];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "onerecord-status-cli-"));
    server = createServer((req, res) => {
      if (req.url === "/list.jwt") res.writeHead(200).end(`${listJwtText}\n`);
      else res.writeHead(404).end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    listUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list.jwt`;

    const root = await makeRoot({ name: "CN=Status CLI Root", ...validFor(3650) });
    const device = await makeLeaf(root, { cn: "gw-1", ...validFor(730) });
    const key = await loadSigningKey(signingSecret("ES256").pem);
    privatePem = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    recordKey = await loadRecordSigningKey(privatePem);
    for (const idx of [0, 1, 2]) {
      const claims = buildDeviceClaims({
        issuer: ISSUER,
        audience: AUDIENCE,
        device: "gw-1",
        account: "acme-health",
        certificate: readDeviceCertificate(device.der),
        lifetimeDays: 30,
        now: new Date(),
        jti: `jti-${idx}`,
        status: { idx, uri: listUri },
      });
      tokens[idx] = await signDeviceToken(claims, key);
      writeFileSync(path(`token-${idx}.jwt`), tokens[idx]);
    }
    writeFileSync(path("jwks.json"), JSON.stringify(key.jwks));
    writeFileSync(path("records.jwks.json"), JSON.stringify(recordKey.jwks));
    writeFileSync(path("record.key"), privatePem);
    writeFileSync(path("gw.pem"), device.pem);
    // index 0 valid, 1 revoked; 4 statuses at 2 bits fill one byte, so 2 is suspended
    listJwtText = await signStatusList(
      { uri: listUri, statuses: [0, 1, 2], ttlSeconds: 60, lifetimeSeconds: 3600 },
      recordKey,
    );
    writeFileSync(path("list.jwt"), listJwtText);
    const other = await signStatusList(
      { uri: "https://ledger.example/other.jwt", statuses: [0, 0], ttlSeconds: 60, lifetimeSeconds: 3600 },
      recordKey,
    );
    writeFileSync(path("other.jwt"), other);
    writeFileSync(path("big.jwt"), "A".repeat(600 * 1024));
  });
  let listJwtText = "";

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    server.close();
    await once(server, "close");
  });

  it("accepts a valid token against the list from a file, and says so", async () => {
    const { code, stdout } = await cli([
      ...base(0),
      "--status-list",
      path("list.jwt"),
      "--records-jwks",
      path("records.jwks.json"),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(`status    VALID, index 0 of ${listUri}`);
  });

  it("rejects the revoked and the suspended token, the list fetched from a URL", async () => {
    const jwks = ["--records-jwks", path("records.jwks.json")];
    const revoked = await cli([...base(1), "--status-list", listUri, ...jwks]);
    expect(revoked.code).toBe(1);
    expect(revoked.stdout).toMatch(/^rejected \(token-revoked\)/);
    const suspended = await cli([...base(2), "--status-list", listUri, ...jwks, "--json"]);
    expect(suspended.code).toBe(1);
    expect(JSON.parse(suspended.stdout)).toMatchObject({ ok: false, code: "token-suspended" });
  });

  it("rejects a list for another URI, a missing URL and an oversized file with their codes", async () => {
    const jwks = ["--records-jwks", path("records.jwks.json")];
    expect((await cli([...base(0), "--status-list", path("other.jwt"), ...jwks])).stdout).toMatch(
      /status-list-subject/,
    );
    expect((await cli([...base(0), "--status-list", `${listUri}.gone`, ...jwks])).stdout).toMatch(
      /status-list-unavailable/,
    );
    const big = await cli([...base(0), "--status-list", path("big.jwt"), ...jwks]);
    expect(big.code).toBe(1);
    expect(big.stdout).toMatch(/^rejected \(status-list-malformed\): the status list file is larger than/);
  });

  it("checks the list's time against --at: expired an hour later", async () => {
    const at = new Date(Date.now() + 2 * 3600 * 1000).toISOString();
    const { code, stdout } = await cli([
      ...base(0),
      "--status-list",
      path("list.jwt"),
      "--records-jwks",
      path("records.jwks.json"),
      "--at",
      at,
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/status-list-expired/);
  });

  it("refuses usage errors: no records JWKS, a private key as one, --records-jwks alone", async () => {
    expect(await cli([...base(0), "--status-list", path("list.jwt")])).toMatchObject({
      code: 2,
      stderr: /--records-jwks/,
    });
    const key = await cli([...base(0), "--status-list", path("list.jwt"), "--records-jwks", path("record.key")]);
    expect(key).toMatchObject({ code: 2, stderr: /private key/ });
    expect(await cli([...base(0), "--records-jwks", path("records.jwks.json")])).toMatchObject({ code: 2 });
  });
});
