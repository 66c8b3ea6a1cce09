import { describe, expect, it } from "vitest";
import { checkRequest } from "./helpers/openapi.js";

const q = (s = "") => new URLSearchParams(s);

describe("the OpenAPI check every faked GitHub request goes through", () => {
  it("accepts the app's requests", () => {
    expect(
      checkRequest({
        method: "PATCH",
        path: "/repos/acme/r/issues/3",
        query: q(),
        body: { labels: ["access: tokens"], state: "closed", state_reason: "not_planned" },
      }),
    ).toMatchObject({ ok: true, match: { operationId: "issues/update" } });
    expect(
      checkRequest({
        method: "GET",
        path: "/repos/acme/r/contents/certificates/3/gw-1.pem",
        query: q("ref=abc"),
        body: undefined,
      }),
    ).toMatchObject({ ok: true, match: { operationId: "repos/get-content" } });
    expect(
      checkRequest({ method: "GET", path: "/orgs/acme/teams/reviewers/memberships/tom", query: q(), body: undefined }),
    ).toMatchObject({ ok: true });
  });

  it("fails routes that do not exist, wrong methods, undeclared parameters and bodies that do not fit", () => {
    expect(
      checkRequest({ method: "GET", path: "/repos/acme/r/issues/3/status-comment", query: q(), body: undefined }),
    ).toMatchObject({ ok: false, errors: [expect.stringMatching(/no REST route/)] });
    expect(
      checkRequest({ method: "PUT", path: "/repos/acme/r/issues/comments/5", query: q(), body: { body: "x" } }),
    ).toMatchObject({ ok: false, errors: [expect.stringMatching(/not a method/)] });
    expect(
      checkRequest({
        method: "GET",
        path: "/repos/acme/r/issues/3/comments",
        query: q("per_page=100&since_id=4"),
        body: undefined,
      }),
    ).toMatchObject({ ok: false, errors: [expect.stringMatching(/"since_id" is not declared/)] });
    expect(
      checkRequest({ method: "PATCH", path: "/repos/acme/r/issues/3", query: q(), body: { state: "archived" } }),
    ).toMatchObject({ ok: false });
    expect(
      checkRequest({
        method: "POST",
        path: "/repos/acme/r/issues/3/comments",
        query: q(),
        body: { text: "no body field" },
      }),
    ).toMatchObject({ ok: false, errors: [expect.stringMatching(/must have required property 'body'/)] });
    expect(
      checkRequest({ method: "POST", path: "/repos/acme/r/labels", query: q(), body: { name: "x", color: 123 } }),
    ).toMatchObject({ ok: false });
  });
});
