import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { formatPreflight, preflight, preflightFails, type StartObservation } from "../../src/app/preflight.js";

/** `npm start` says at once what is missing or fake, before Probot starts (docs/app.md, step 3). */
const root = fileURLToPath(new URL("../../", import.meta.url));

// The values .env.example carried before: Probot ran the app with them, said nothing and received nothing.
const OLD_EXAMPLE = {
  APP_ID: "123456",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\\n...replace me...\\n-----END RSA PRIVATE KEY-----\\n",
  WEBHOOK_SECRET: "replace-with-a-long-random-string",
  RECORD_SIGNING_KEY: "",
};
const pem = (key: { export(o: { format: "pem"; type: "pkcs8" }): string | Buffer }) =>
  key.export({ format: "pem", type: "pkcs8" }).toString();
const appKey = pem(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
const recordKey = pem(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
const REAL = {
  APP_ID: "1048576",
  PRIVATE_KEY: appKey.replace(/\n/g, "\\n"),
  WEBHOOK_SECRET: "b7c1f0a9e3d54c2a8f6e1d0c9b8a7f6e",
  RECORD_SIGNING_KEY: recordKey,
};

const check = (env: StartObservation["env"], more: Partial<StartObservation> = {}) =>
  preflight({ env, smeeClient: true, ...more });
const codes = async (env: StartObservation["env"], more: Partial<StartObservation> = {}) =>
  (await check(env, more)).map((f) => f.code);

describe("preflight (pure: environment → findings)", () => {
  it("calls the old .env.example's values fake, and says Probot's setup page needs them gone", async () => {
    const findings = await check(OLD_EXAMPLE);
    expect(findings.map((f) => [f.code, f.state])).toEqual([
      ["app-id-placeholder", "placeholder"],
      ["private-key-placeholder", "placeholder"],
      ["webhook-secret-placeholder", "placeholder"],
      ["record-key-absent", "absent"],
      ["setup-mode", "note"],
      ["ledger-ruleset", "note"],
    ]);
    expect(findings.find((f) => f.code === "setup-mode")!.message).toMatch(/Register GitHub App.*placeholder/);
    expect(preflightFails(findings)).toBe(true);
  });

  it("a fresh clone (nothing set): everything absent, and Probot's setup page on the configured port", async () => {
    const findings = await check({ PORT: "3005" });
    expect(findings.map((f) => f.code)).toEqual([
      "app-id-absent",
      "private-key-absent",
      "webhook-secret-absent",
      "record-key-absent",
      "setup-mode",
      "ledger-ruleset",
    ]);
    expect(findings.find((f) => f.code === "setup-mode")!.message).toContain("http://localhost:3005");
    expect(await codes({ NODE_ENV: "production" })).toContain("setup-mode");
  });

  it("real settings: all present, only the ruleset note, and the check passes", async () => {
    const findings = await check(REAL);
    expect(findings.map((f) => f.code)).toEqual([
      "app-id-present",
      "private-key-present",
      "webhook-secret-present",
      "record-key-present",
      "ledger-ruleset",
    ]);
    expect(findings.at(-1)!.message).toContain("docs/app.md");
    expect(preflightFails(findings)).toBe(false);
    // Probot also reads the key base64-encoded, or with real newlines.
    for (const PRIVATE_KEY of [Buffer.from(appKey).toString("base64"), appKey])
      expect(await codes({ ...REAL, PRIVATE_KEY })).toContain("private-key-present");
  });

  it("a PRIVATE_KEY that is not a PEM private key GitHub issues is fake", async () => {
    const ec = recordKey.replace(/\n/g, "\\n");
    const lines = appKey.split("\n");
    const broken = [...lines.slice(0, 3), ...lines.slice(-3)].join("\n"); // the body cut short
    for (const PRIVATE_KEY of [
      ec,
      broken,
      "not a key",
      "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----",
    ])
      expect(await codes({ ...REAL, PRIVATE_KEY })).toEqual(
        expect.arrayContaining(["private-key-placeholder", "setup-mode"]),
      );
  });

  it("reads the key file Probot would: PRIVATE_KEY_PATH or the one *.pem, and says when it cannot", async () => {
    const env = { ...REAL, PRIVATE_KEY: "" };
    expect(await codes(env, { keyFile: { name: "app.pem", text: appKey } })).toContain("private-key-present");
    const unreadable = await check(env, { keyFile: { name: "PRIVATE_KEY_PATH", problem: "the file cannot be read" } });
    expect(unreadable[1]).toMatchObject({ code: "private-key-unreadable", subject: "PRIVATE_KEY (PRIVATE_KEY_PATH)" });
  });

  it("APP_ID that is not a number, and a record key the app refuses, are unreadable", async () => {
    expect(await codes({ ...REAL, APP_ID: "my-app" })).toContain("app-id-unreadable");
    const rsa = await check({ ...REAL, RECORD_SIGNING_KEY: appKey });
    expect(rsa[3]).toMatchObject({ code: "record-key-unreadable", state: "unreadable" });
    expect(rsa[3]!.message).toMatch(/RS256.*cannot sign records.*advances no request/);
    expect(await codes({ ...REAL, RECORD_SIGNING_KEY: '{"kty":"EC","d":"..."}' })).toContain("record-key-placeholder");
  });

  it("says when WEBHOOK_PROXY_URL is set but Probot has no smee client to relay with", async () => {
    const env = { ...REAL, WEBHOOK_PROXY_URL: "https://smee.io/abc" };
    expect(await codes(env, { smeeClient: false })).toContain("webhook-proxy-without-client");
    expect(await codes(env, { smeeClient: true })).not.toContain("webhook-proxy-without-client");
  });

  it("prints states, never a value", async () => {
    for (const env of [REAL, OLD_EXAMPLE, { ...REAL, RECORD_SIGNING_KEY: appKey }]) {
      const text = formatPreflight(await check(env));
      for (const value of Object.values(env).filter((v) => v.length > 8))
        for (const line of value.split(/\\n|\n/).filter((l) => l.length > 8 && !l.startsWith("-----")))
          expect(text).not.toContain(line);
      expect(text).not.toContain(REAL.WEBHOOK_SECRET);
    }
    expect(formatPreflight(await check(OLD_EXAMPLE))).toMatch(/APP_ID +placeholder \(fake\): /);
  });
});

describe("npm start -- --check (src/app/start.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "onerecord-start-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

  it("prints what is missing or fake from the .env of the working directory, and exits 1", () => {
    const env = Object.entries(OLD_EXAMPLE).map(([k, v]) => `${k}="${v}"`);
    writeFileSync(join(dir, ".env"), `${env.join("\n")}\n`);
    const out = spawnSync(process.execPath, ["--import", tsx, join(root, "src/app/start.ts"), "--check"], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH },
      timeout: 60_000,
    });
    expect(out.stderr).toBe("");
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(/^onerecord-access: start-up check/);
    expect(out.stdout).toMatch(/APP_ID +placeholder \(fake\).*\[app-id-placeholder\]/);
    expect(out.stdout).toMatch(/PRIVATE_KEY +placeholder \(fake\).*\[private-key-placeholder\]/);
    expect(out.stdout).toMatch(/WEBHOOK_SECRET +placeholder \(fake\).*\[webhook-secret-placeholder\]/);
    expect(out.stdout).toMatch(/RECORD_SIGNING_KEY +absent: .*\[record-key-absent\]/);
    expect(out.stdout).toMatch(/ledger branch ruleset +checked per repository.*docs\/app\.md.*\[ledger-ruleset\]/);
    expect(out.stdout).not.toContain("replace");
  });

  it("package.json's start script runs it, and .env.example leaves Probot's setup page reachable", async () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe("node dist/src/app/start.js");
    // `cp .env.example .env` as the guide says: nothing registered, nothing fake.
    const { parseEnv } = await import("node:util");
    const example = parseEnv(readFileSync(join(root, ".env.example"), "utf8"));
    const findings = await check(example);
    expect(findings.filter((f) => f.state === "placeholder")).toEqual([]);
    expect(findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(["app-id-absent", "private-key-absent", "setup-mode"]),
    );
  });
});
