import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { readFileSync } from "node:fs";
import app from "../../../src/app/index.js";
import { FakeGitHub } from "./fake-github.js";
import { testRecordKey, testRecordSecret } from "./record-key.js";

/**
 * The GitHub App's private key: made at test time, never committed; once per run by the global
 * set-up (test/setup/global.ts names its file in ONERECORD_TEST_APP_KEY_FILE), here where that
 * did not run (a single file run another way, the demo, the bench).
 */
let privateKey: string | undefined;
export function testPrivateKey(): string {
  const file = process.env.ONERECORD_TEST_APP_KEY_FILE;
  privateKey ??= file
    ? readFileSync(file, "utf8")
    : generateKeyPairSync("rsa", { modulusLength: 2048 })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString();
  return privateKey;
}

export const WEBHOOK_SECRET = "test-webhook-secret";

/** A Probot for tests: the test secret, no retries, no throttling. */
export function createTestProbot(): Probot {
  return new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    secret: WEBHOOK_SECRET,
    logLevel: "fatal",
    // A function, not an object: Probot layers its own throttle options over object defaults.
    Octokit: ProbotOctokit.defaults((options: object) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
}

export interface StartOptions {
  config?: string;
  /**
   * Give the app its record signing key (`RECORD_SIGNING_KEY`, made at test time) and publish it
   * in the configuration's `records.jwks`, as an operator does (default true).
   */
  recordKey?: boolean;
}

/** A Probot with the app loaded, talking to a fresh fake GitHub (no retries, no throttling). */
export async function startApp(options: StartOptions = {}): Promise<{ probot: Probot; gh: FakeGitHub }> {
  const gh = new FakeGitHub().install();
  if (options.recordKey !== false) gh.recordJwks = (await testRecordKey()).jwks;
  setRecordSecret(options.recordKey === false ? undefined : testRecordSecret());
  gh.setConfig(options.config ?? "");
  return { probot: await loadApp(), gh };
}

/** A new app process (no memory shared with earlier ones) on the same fake GitHub. */
export async function loadApp(): Promise<Probot> {
  const probot = createTestProbot();
  await probot.load(app);
  return probot;
}

/** The app process reads `RECORD_SIGNING_KEY` once, at its first event. */
export function setRecordSecret(secret: string | undefined): void {
  if (secret === undefined) delete process.env.RECORD_SIGNING_KEY;
  else process.env.RECORD_SIGNING_KEY = secret;
}
