import fc from "fast-check";
import type { Nodes, Root } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { toString } from "mdast-util-to-string";
import { gfm } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/parse.js";
import { parseRequestForm } from "../../src/app/intake/parse.js";
import { replyForComment } from "../../src/app/commands/reply.js";
import { literalText } from "../../src/app/render/markdown.js";
import { renderStatusComment } from "../../src/app/render/status.js";
import { readRecord } from "../../src/record/codec.js";

const RECORD_OPEN = "<!-- onerecord-access:record v1 ";
import type { AccessRecord, FormProblem } from "../../src/record/schema.js";
import { formBody } from "./helpers/form.js";

const T = "2026-06-01T10:00:00Z";
const URL = "https://github.com/acme/access-requests/issues/7";
const config = defaultConfig();

/** GitHub's own parse of a comment: CommonMark plus the GFM extensions. */
const parse = (body: string): Root => fromMarkdown(body, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });

function nodes(tree: Nodes, out: Nodes[] = []): Nodes[] {
  out.push(tree);
  if ("children" in tree) for (const child of tree.children) nodes(child, out);
  return out;
}

/** What a comment does besides showing text: its node shapes and GitHub's text-level autolinks. */
function effects(body: string): Record<string, number> {
  const tree = parse(body);
  const counts: Record<string, number> = {};
  for (const n of nodes(tree)) {
    if (n.type === "text") continue;
    const key = n.type !== "html" ? n.type : n.value.startsWith(RECORD_OPEN) ? "html:record" : `html:${n.value}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const text = nodes(tree)
    .filter((n) => n.type === "text")
    .map((n) => (n as { value: string }).value)
    .join("\n");
  counts.recordOpeners = body.split(RECORD_OPEN).length - 1;
  // GitHub links these in text nodes, Markdown or not.
  for (const [name, pattern] of Object.entries({
    mention: /@[A-Za-z0-9]/g,
    reference: /#\d/g,
  }))
    counts[name] = (text.match(pattern) ?? []).length;
  return counts;
}

/** A record carrying `v` in every field a person controls. */
function hostileRecord(v: string, stage: AccessRecord["stage"], problems: FormProblem[] = []): AccessRecord {
  const stamp = { by: "rita", at: T, url: `${URL}#issuecomment-1` };
  return {
    version: 1,
    repository: "acme/access-requests",
    issue: 7,
    issueUrl: URL,
    requester: "jane",
    stage,
    checklist: [{ item: "legal-agreements", ...stamp, note: v }],
    certification: stage === "requested" ? null : { ...stamp, note: v, requestSha256: "ab".repeat(32) },
    hold: stage === "rejected" ? null : { ...stamp, reason: v },
    rejection: stage === "rejected" ? { ...stamp, reason: v } : null,
    reissueRequested: [{ ...stamp, device: v, reason: v }],
    voidedTicks: [{ ...stamp, item: "network-review", changed: [v] }],
    reclosed: [{ at: T }],
    voidedRuns: [{ runUrl: `${URL}/runs/9`, at: T, tokens: 1, blockedBy: { ...stamp, kind: "hold" } }],
    transitions: [],
    request: {
      account: v,
      contact: v,
      devices: [v, "gw-1"],
      certificateOption: 1,
      networkPaths: [v],
      sha256: "ab".repeat(32),
    },
    form: { at: T, bodySha256: "cd".repeat(32), valid: problems.length === 0, problems, applied: true },
    formLog: [],
    commands: [{ comment: 9, index: 0, by: "rita", at: T, name: "hold", args: v, reviewer: true, outcome: "accepted" }],
    ignored: [],
    pullRequests: [],
    certificates: [
      {
        device: v,
        path: "certificates/7/x.pem",
        fingerprintSha256: null,
        pr: 50,
        mergedCommit: "a".repeat(40),
        mergedAt: T,
        verdict: "invalid",
        errors: [{ code: "unparseable", message: v }],
      },
    ],
    issuance: [],
    issuanceComments: [{ comment: 5, runId: 41, part: 1, accepted: false, reason: v }],
    integrity: [],
  };
}

const problemsFor = (v: string): FormProblem[] => {
  const form = parseRequestForm(formBody({ option: v, devices: [v], networkPaths: [v] }));
  return form.recognized ? form.problems : [];
};

const PIECES = [
  "<!--",
  "-->",
  "<!-- onerecord-access:record v1 ",
  "@octocat",
  "@",
  "#123",
  "#",
  "https://evil.test/x",
  "www.evil.test",
  "a@b.test",
  "[x](https://evil.test)",
  "![i](https://evil.test/i.png)",
  "<img src=x>",
  "<b>",
  "`",
  "``",
  "|",
  "||",
  "\n",
  "\r\n",
  "\n\n",
  "\u202e",
  "\u2066",
  "\u200b",
  "\u2060",
  "\u00ad",
  "*",
  "_",
  "~~",
  "> ",
  "- ",
  "1. ",
  "# ",
  "---",
  "===",
  "\\",
  "&amp;",
  "&#64;",
  " ",
  "x",
  ":",
  "/",
  "/approve-certification",
  "[^1]",
  "[ ]",
  "[x]",
  "<https://evil.test>",
  "\t",
  "    ",
  "\u0000",
  "\u2028",
];
/** The same problems with `x` for every message: what the rendering must look like, shape for shape. */
const benignProblems = (problems: FormProblem[]): FormProblem[] =>
  problems.map((p) => ({ field: p.field, message: "**Label** x" }));
/** Whitespace as Markdown shows it: runs collapse, ends trim. */
const shown = (text: string) => text.replace(/\s+/g, " ").trim();

const hostile = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(""));
const stages: AccessRecord["stage"][] = ["requested", "certificates", "tokens", "rejected"];

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

  it(
    "property: any hostile string in any field renders as its literal text and nothing else",
    { timeout: 180_000 },
    () => {
      fc.assert(
        fc.property(hostile, fc.constantFrom(...stages), (v, stage) => {
          const record = hostileRecord(v, stage, problemsFor(v));
          const body = renderStatusComment(record, config);
          // The view holds no record, and no hostile value can smuggle one in.
          expect(readRecord(body)).toBeNull();
          const benign = renderStatusComment(hostileRecord("x", stage, benignProblems(record.form.problems)), config);
          expect(effects(body)).toEqual(effects(benign));
          expect(shown(toString(parse(body)))).toContain(shown(literalText(v, 300)));
        }),
        { numRuns: 60 },
      );
    },
  );
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
