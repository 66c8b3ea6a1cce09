import fc from "fast-check";
import { toString } from "mdast-util-to-string";
import { describe, expect, it } from "vitest";
import { replyForComment } from "../../src/app/commands/reply.js";
import { literalText } from "../../src/app/render/markdown.js";
import { renderStatusComment } from "../../src/app/render/status.js";
import { readRecord } from "../../src/record/codec.js";
import {
  benignProblems,
  config,
  effects,
  hostile,
  hostileRecord,
  parse,
  problemsFor,
  shown,
  statusRendersLiterally,
  T,
} from "./helpers/hostile-status.js";

describe("status comment: every user value is literal text", () => {
  it("breaks a bare www. domain, which GitHub would autolink, even when it is only letters and dots", () => {
    expect(literalText("www.evil.test", 300)).toBe("www\u200b.evil.test");
    expect(literalText("gateway-01", 300)).toBe("gateway-01");
  });

  it("quotes an unknown certificate option without mentions, links, images or a second record opener", () => {
    const option = "@octocat [x](https://evil.test) <img src=x> <!-- onerecord-access:record v1 ";
    const problems = problemsFor(option);
    const message = problems.find((p) => p.field === "certificate-option")!.message;
    expect(message).not.toMatch(/@octocat|<!-- onerecord/);
    const record = hostileRecord("x", "requested", problems);
    const body = renderStatusComment(record, config);
    // The view holds no record, and no hostile value can smuggle one in.
    expect(readRecord(body)).toBeNull();
    expect(effects(body)).toEqual(
      effects(renderStatusComment(hostileRecord("x", "requested", benignProblems(problems)), config)),
    );
    expect(shown(toString(parse(body)))).toContain(shown(literalText(option, 200)));
  });

  // 300 runs in `npm run test:corpora` (test/corpora/status-escaping.corpus.ts).
  it("property: any hostile string in any field renders as its literal text and nothing else", () => {
    statusRendersLiterally(25);
  });
});

describe("replies: every command argument is literal text", () => {
  const url = "https://github.com/acme/access-requests/issues/7#issuecomment-9";
  const reply = (v: string) =>
    replyForComment(
      "mallory",
      url,
      [
        {
          name: "check",
          args: v,
          outcome: "refused",
          why: { code: "unknown-item", detail: { given: v, items: ["stage-testing"] } },
        },
        {
          name: "reissue-tokens",
          args: `${v} why`,
          outcome: "refused",
          why: { code: "unknown-device", detail: { given: v, devices: [v, "gw-1"] } },
        },
        {
          name: "hold",
          args: v,
          outcome: "refused",
          why: { code: "on-hold", detail: { by: "rita", at: T, reason: v } },
        },
      ],
      {
        reviewer: false,
        requester: false,
        record: { stage: "certification", hold: null, checklist: [], certification: null, issuance: [] },
        checklistItems: ["stage-testing"],
      },
    )!;

  it("property: a hostile argument in a refusal reply creates no mention, link, image, HTML or command line", () => {
    fc.assert(
      fc.property(hostile, (v) => {
        const body = reply(v);
        expect(effects(body)).toEqual(effects(reply("x")));
        expect(body.split("\n").some((line) => line.trimStart().startsWith("/"))).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});
