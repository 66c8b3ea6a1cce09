import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import app from "../../src/app/index.js";
import type { FakeGitHub } from "./helpers/fake-github.js";
import { formBody } from "./helpers/form.js";
import { createTestProbot, startApp, WEBHOOK_SECRET } from "./helpers/harness.js";
import { issueEvent } from "./helpers/payloads.js";

/** The real HTTP path: Probot's Node middleware on a loopback server, signatures checked. */
let server: Server;
let url: string;
let gh: FakeGitHub;

beforeAll(async () => {
  ({ gh } = await startApp({ config: "reviewers:\n  logins: [rita]\n" }));
  const probot = createTestProbot();
  const middleware = await createNodeMiddleware(app, { probot, webhooksPath: "/api/github/webhooks" });
  server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  gh.uninstall();
  gh.assertClean();
});

function post(body: string, signature: string | null, event = "issues"): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": `d-${Math.random()}`,
  };
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return fetch(url, { method: "POST", headers, body });
}

const sign = (body: string, secret = WEBHOOK_SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("webhook signatures", () => {
  it("refuses a delivery signed with another secret, or unsigned, and moves nothing", async () => {
    const issue = gh.openIssue(formBody());
    const body = JSON.stringify(issueEvent(gh, "opened", issue.number).payload);
    const before = gh.requests.length;
    const forged = await post(body, sign(body, "not-the-secret"));
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    const unsigned = await post(body, null);
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(gh.requests.length).toBe(before);
    expect(gh.commentsOn(issue.number)).toHaveLength(0);
  });

  it("accepts a correctly signed delivery and handles it", async () => {
    const issue = gh.openIssue(formBody());
    const body = JSON.stringify(issueEvent(gh, "opened", issue.number).payload);
    const response = await post(body, sign(body));
    expect(response.status).toBe(200);
    await expect.poll(() => gh.statusComment(issue.number) !== undefined, { timeout: 10_000 }).toBe(true);
  });
});
