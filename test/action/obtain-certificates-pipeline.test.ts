import { createPrivateKey, X509Certificate } from "node:crypto";
import { once } from "node:events";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import type { JSONWebKeySet } from "jose";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import acme from "acme-client";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunContext } from "../../action/context.js";
import { parseInputs } from "../../action/inputs.js";
import { obtainCertificates } from "../../action/obtain-certificates/index.js";
import { validateCertificateBytes, TrustStore, trustAnchorFromPem } from "../../src/certificates/index.js";
import { decryptDeviceKey } from "../../src/delivery/decrypt-device-key.js";
import { makeDeliveryKeyPair } from "../../src/delivery/key-pair.js";
import type { AccessRecord, RecordSigningKey } from "../../src/record/index.js";
import { parseObtainedComment, verifyObtainedProof } from "../../src/record/obtained-comment.js";
import { decryptDeviceToken, issueDeviceToken, loadSigningKey, verifyDeviceToken } from "../../src/tokens/index.js";
import { titled } from "../helpers/environment.js";
import { noPebble, startPebble, type Pebble } from "../helpers/pebble.js";
import { makeLeaf, makeRoot, signingSecret, validFor } from "../helpers/pki.js";
import { REPOSITORY, REQUEST, REQUESTER, tokensRecord } from "./issue-tokens/fixtures.js";
import { LEDGER_BRANCH, ledgerText, mockLedgerFile, recordKey, recordsConfig } from "./issue-tokens/ledger.js";
import { rawInputs } from "../helpers/action-inputs.js";

/**
 * Mode obtain-certificates (issue 20, option 2) in process: the GitHub API mocked with nock, the
 * CA a real ACME server (Pebble). From the signed record of an approved option-2 request to the
 * signed report on the issue: the chains pass our judge, and each key opens only with the
 * customer's delivery key and is the key of its certificate.
 */
const API = "https://api.github.test";
const fetchThroughNock: typeof fetch = (input, init) => globalThis.fetch(input, init);
const KEY = signingSecret("ES256").pem;
const TEMPLATE = "{device}.{account}.devices.example.com";
const DEVICES = ["pump-01", "pump-02"];
const FAST = { attempts: 1, delaySeconds: 0.05, timeoutMs: 10_000 };
const saved = { ...process.env };

/**
 * One request over real mutual TLS: a server that asks for a client certificate anchored at
 * `rootPem` and verifies the device token against the certificate presented.
 */
async function callOverMtls(
  rootPem: string,
  chainPem: string,
  keyPem: string,
  jwt: string,
  jwks: JSONWebKeySet,
): Promise<string> {
  const server = await serverCertificate();
  const api = createServer(
    { key: server.keyPem, cert: server.pem, ca: [rootPem], requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      void verifyDeviceToken(String(req.headers.authorization ?? "").replace(/^Bearer /, ""), {
        jwks,
        issuer: "https://onerecord.example/access",
        audience: "https://api.onerecord.example",
        peerCertificate: socket.getPeerCertificate(true),
      }).then((v) => res.end(v.ok ? `ok ${v.claims.sub}` : `refused ${v.code}`));
    },
  );
  api.listen(0, "127.0.0.1");
  await once(api, "listening");
  try {
    const port = (api.address() as AddressInfo).port;
    return await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/",
          cert: chainPem,
          key: keyPem,
          ca: [server.rootPem],
          headers: { authorization: `Bearer ${jwt}` },
        },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString("utf8")));
          res.on("end", () => resolve(body));
        },
      );
      req.on("error", reject);
      req.end();
    });
  } finally {
    api.close();
  }
}

async function serverCertificate() {
  const root = await makeRoot({ cn: "API server root", ...validFor(30) });
  const leaf = await makeLeaf(root, {
    cn: "127.0.0.1",
    eku: ["serverAuth"],
    san: [{ type: "ip", value: "127.0.0.1" }],
    ...validFor(30),
  });
  return { pem: leaf.pem, keyPem: leaf.keyPem, rootPem: root.pem };
}

describe.skipIf(noPebble !== null)(titled("obtain-certificates against Pebble", noPebble), () => {
  let pebble: Pebble;
  let dir: string;
  let stdout: string;
  let recordSigner: RecordSigningKey;
  let rootPem: string;
  let accountKey: string;
  let delivery: Awaited<ReturnType<typeof makeDeliveryKeyPair>>;

  beforeAll(async () => {
    pebble = await startPebble();
    accountKey = (await acme.crypto.createPrivateEcdsaKey()).toString();
    await pebble.preValidate(
      accountKey,
      DEVICES.map((d) => `${d}.acme-health.devices.example.com`),
    );
    rootPem = await pebble.rootPem();
    recordSigner = await recordKey();
    delivery = await makeDeliveryKeyPair();
    dir = mkdtempSync(join(tmpdir(), "obtain-pipeline-"));
    writeFileSync(
      join(dir, "event.json"),
      JSON.stringify({ ref: "refs/heads/main", repository: { full_name: REPOSITORY, default_branch: "main" } }),
    );
    const anchor = trustAnchorFromPem(rootPem, "Pebble test CA");
    mkdirSync(join(dir, ".github"), { recursive: true });
    writeFileSync(
      join(dir, ".github/onerecord-access.yml"),
      [
        "certificates:",
        "  onBehalf:",
        `    directory: ${pebble.directory}`,
        `    identifier: "${TEMPLATE}"`,
        "  extraCAs:",
        "    - brand: Pebble test CA",
        `      fingerprintSha256: "${anchor.fingerprintSha256}"`,
        "      pem: |",
        ...rootPem
          .trim()
          .split("\n")
          .map((l) => `        ${l}`),
        ...recordsConfig([recordSigner]),
        "",
      ].join("\n"),
    );
  }, 60_000);

  afterAll(() => {
    pebble?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    stdout = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
    writeFileSync(join(dir, "output"), "");
    writeFileSync(join(dir, "summary"), "");
    process.env.GITHUB_OUTPUT = join(dir, "output");
    process.env.GITHUB_STEP_SUMMARY = join(dir, "summary");
  });

  afterEach(() => {
    vi.restoreAllMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    process.env = { ...saved };
    process.exitCode = 0;
  });

  function optionTwo(overrides: Partial<AccessRecord> = {}): AccessRecord {
    const base = tokensRecord([], { stage: "certificates" });
    return {
      ...base,
      request: { ...base.request!, devices: DEVICES, certificateOption: 2, deliveryKey: delivery.publicJwk },
      ...overrides,
    };
  }

  function mockApi(ledger: string): { posted: string[] } {
    const posted: string[] = [];
    nock(API)
      .get(`/repos/${REPOSITORY}/issues/${REQUEST}`)
      .reply(200, { id: 1, number: REQUEST, state: "open", user: { login: REQUESTER, type: "User" }, labels: [] });
    nock(API)
      .get(`/repos/${REPOSITORY}/rules/branches/${encodeURIComponent(LEDGER_BRANCH)}`)
      .query(true)
      .reply(200, [{ type: "deletion" }, { type: "non_fast_forward" }, { type: "required_linear_history" }]);
    mockLedgerFile(API, REPOSITORY, REQUEST, { head: ledger, optional: true });
    nock(API)
      .post(`/repos/${REPOSITORY}/issues/${REQUEST}/comments`)
      .times(5)
      .optionally()
      .reply(201, (_uri, body) => {
        posted.push((body as { body: string }).body);
        return {
          id: 900 + posted.length,
          html_url: `https://github.com/${REPOSITORY}/issues/${REQUEST}#c${posted.length}`,
        };
      });
    return { posted };
  }

  async function runMode(): Promise<void> {
    const inputs = parseInputs(
      rawInputs({
        mode: "obtain-certificates",
        "github-token": "ghs_test",
        request: String(REQUEST),
        "signing-key": KEY,
        "acme-eab-kid": pebble.eab.kid,
        "acme-eab-hmac": pebble.eab.hmacKey,
        "acme-account-key": accountKey,
      }),
    );
    const context: RunContext = {
      eventName: "workflow_dispatch",
      workspace: dir,
      tempDir: dir,
      apiUrl: API,
      owner: "Codertocat",
      repo: "Hello-World",
      pullRequest: undefined,
    };
    const env = {
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_REF: "refs/heads/main",
      GITHUB_REF_TYPE: "branch",
      GITHUB_EVENT_PATH: join(dir, "event.json"),
      GITHUB_WORKFLOW_REF: `${REPOSITORY}/.github/workflows/obtain-certificates.yml@refs/heads/main`,
      GITHUB_RUN_ID: "5151",
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_SHA: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
      GITHUB_SERVER_URL: "https://github.com",
    };
    await obtainCertificates(inputs, context, { fetch: fetchThroughNock, env, caAgent: pebble.agent, retry: FAST });
  }

  it("obtains each device's certificate and posts one signed report: chains that pass our judge, keys only the customer opens", async () => {
    const api = mockApi(await ledgerText(optionTwo(), recordSigner));
    await runMode();
    expect(process.exitCode ?? 0).toBe(0);
    expect(api.posted).toHaveLength(1);
    const parsed = parseObtainedComment(api.posted[0]);
    if (!parsed.ok) throw new Error(parsed.reason);
    const signer = await loadSigningKey(KEY);
    expect(await verifyObtainedProof(parsed.block, signer.jwks)).toEqual({ ok: true });
    expect(parsed.block.obtained.map((e) => e.device)).toEqual(DEVICES);
    const trust = TrustStore.default([
      { brand: "Pebble test CA", fingerprintSha256: trustAnchorFromPem(rootPem, "x").fingerprintSha256, pem: rootPem },
    ]);
    for (const entry of parsed.block.obtained) {
      expect(entry.path).toBe(`certificates/${REQUEST}/${entry.device}.pem`);
      const report = validateCertificateBytes(Buffer.from(entry.chainPem), { path: entry.path, trust });
      expect(report.verdict).toBe("valid");
      const opened = await decryptDeviceKey(
        entry.keyJwe,
        createPrivateKey(delivery.privatePem),
        new X509Certificate(entry.chainPem).publicKey,
      );
      expect(opened.device).toBe(entry.device);
    }
    // The key OneRecord delivered completes a mutual-TLS handshake with its certificate, and a
    // token issued for that certificate is accepted on that connection (and refused on another).
    const entry = parsed.block.obtained[0]!;
    const opened = await decryptDeviceKey(
      entry.keyJwe,
      createPrivateKey(delivery.privatePem),
      new X509Certificate(entry.chainPem).publicKey,
    );
    const token = await issueDeviceToken({
      key: signer,
      certificate: new X509Certificate(entry.chainPem),
      device: entry.device,
      account: "acme-health",
      issuer: "https://onerecord.example/access",
      audience: "https://api.onerecord.example",
      lifetimeDays: 30,
    });
    const jwt = await decryptDeviceToken(token.jwe, createPrivateKey(opened.pem));
    expect(await callOverMtls(rootPem, entry.chainPem, opened.pem, jwt, signer.jwks)).toBe("ok pump-01");
    const other = parsed.block.obtained[1]!;
    const otherKey = await decryptDeviceKey(
      other.keyJwe,
      createPrivateKey(delivery.privatePem),
      new X509Certificate(other.chainPem).publicKey,
    );
    expect(await callOverMtls(rootPem, other.chainPem, otherKey.pem, jwt, signer.jwks)).toMatch(/^refused /);

    // Nothing secret anywhere but the JWEs: not in the comment's text, the log or the summary.
    expect(api.posted[0]).not.toMatch(/PRIVATE KEY/);
    expect(stdout).not.toMatch(/PRIVATE KEY/);
    for (const secret of [pebble.eab.hmacKey, ...accountKey.split("\n").filter((l) => l.length > 40)]) {
      expect(stdout).not.toContain(secret);
      expect(readFileSync(join(dir, "summary"), "utf8")).not.toContain(secret);
      expect(api.posted.join("\n")).not.toContain(secret);
    }
    expect(readFileSync(join(dir, "summary"), "utf8")).toMatch(/2 certificate\(s\) obtained/);
    expect(readFileSync(join(dir, "output"), "utf8")).toMatch(/obtained-count<<.*\n2\n/);
  });

  it("orders nothing for an option-1 request, one without a delivery key, or a device already obtained", async () => {
    const option1 = optionTwo();
    option1.request = { ...option1.request!, certificateOption: 1 };
    let api = mockApi(await ledgerText(option1, recordSigner));
    await runMode();
    expect(process.exitCode).toBe(1);
    expect(stdout).toMatch(/approved request chose option 1: .*\[not-option-2\]/);
    expect(api.posted).toEqual([]);

    process.exitCode = 0;
    nock.cleanAll();
    const obtained = optionTwo({
      obtained: DEVICES.map((device, i) => ({
        device,
        x5tS256: "A".repeat(43),
        orderUrl: "https://ca.example/order/1",
        keyJweSha256: "b".repeat(43),
        comment: 10 + i,
        runId: 5150,
        at: "2026-12-01T00:00:00.000Z",
      })),
    });
    api = mockApi(await ledgerText(obtained, recordSigner));
    await runMode();
    expect(process.exitCode ?? 0).toBe(0);
    expect(stdout).toMatch(
      /Nothing to obtain: every device has a valid certificate not due for renewal, or one obtained/,
    );
    expect(api.posted).toEqual([]);
  });
});
