import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import app from "../../../src/app/index.js";
import { FakeGitHub } from "./fake-github.js";

/** Made at test time, never committed. */
let privateKey: string | undefined;
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
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

/** A Probot with the app loaded, talking to a fresh fake GitHub (no retries, no throttling). */
export async function startApp(options: { config?: string } = {}): Promise<{ probot: Probot; gh: FakeGitHub }> {
  const gh = new FakeGitHub().install();
  if (options.config !== undefined) gh.setConfig(options.config);
  const probot = createTestProbot();
  await probot.load(app);
  return { probot, gh };
}
