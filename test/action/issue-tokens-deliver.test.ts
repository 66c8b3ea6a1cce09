import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunContext } from "../../action/context.js";
import { createOctokit } from "../../action/github.js";
import { deliverIssuance } from "../../action/issue-tokens/5-deliver.js";
import { isOneRecordError } from "../../src/errors.js";
import { REPOSITORY, REQUEST } from "./issue-tokens/fixtures.js";

/** Step 5's edge: the rendered parts posted in order; a failure says how far delivery got. */
const API = "https://api.github.test";
const PATH = `/repos/${REPOSITORY}/issues/${REQUEST}/comments`;
const context: RunContext = {
  eventName: "workflow_dispatch",
  workspace: "/nonexistent",
  tempDir: "/nonexistent",
  apiUrl: API,
  owner: REPOSITORY.split("/")[0]!,
  repo: REPOSITORY.split("/")[1]!,
  pullRequest: undefined,
};
const octokit = () =>
  createOctokit({ token: "ghs_test", baseUrl: API, fetch: (input, init) => globalThis.fetch(input, init) });
const created = (id: number) => ({
  id,
  html_url: `https://github.com/${REPOSITORY}/issues/${REQUEST}#issuecomment-${id}`,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("deliverIssuance", () => {
  it("posts every part in order and returns their URLs", async () => {
    const posted: string[] = [];
    nock(API)
      .post(PATH)
      .times(2)
      .reply(201, (_uri, body) => {
        posted.push((body as { body: string }).body);
        return created(900 + posted.length);
      });
    const urls = await deliverIssuance(octokit(), context, REQUEST, ["part one", "part two"]);
    expect(posted).toEqual(["part one", "part two"]);
    expect(urls).toEqual([created(901).html_url, created(902).html_url]);
  });

  it("stops at the part that cannot be posted and says how many went out", async () => {
    nock(API).post(PATH).reply(201, created(901));
    nock(API).post(PATH).reply(422, { message: "Validation Failed" });
    const error: unknown = await deliverIssuance(octokit(), context, REQUEST, ["one", "two", "three"]).catch(
      (e: unknown) => e,
    );
    expect(isOneRecordError(error) && error.code).toBe("io-error");
    expect((error as Error).message).toMatch(
      /cannot comment on issue #7.* after 1 of 3 parts were posted; those tokens are not recorded/,
    );
    expect(nock.isDone()).toBe(true);
  });

  it("says nothing of earlier parts when the first cannot be posted", async () => {
    nock(API).post(PATH).reply(403, { message: "Resource not accessible by integration" });
    const error: unknown = await deliverIssuance(octokit(), context, REQUEST, ["one", "two"]).catch((e: unknown) => e);
    expect(isOneRecordError(error) && error.code).toBe("io-error");
    expect((error as Error).message).not.toMatch(/parts were posted/);
  });
});
