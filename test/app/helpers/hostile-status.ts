import fc from "fast-check";
import type { Nodes, Root } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { toString } from "mdast-util-to-string";
import { gfm } from "micromark-extension-gfm";
import { expect } from "vitest";
import { defaultConfig } from "../../../src/config/parse.js";
import { parseRequestForm } from "../../../src/app/intake/parse.js";
import { literalText } from "../../../src/app/render/markdown.js";
import { renderStatusComment } from "../../../src/app/render/status.js";
import { readRecord } from "../../../src/record/codec.js";
import type { AccessRecord, FormProblem } from "../../../src/record/schema.js";
import { formBody } from "./form.js";

/**
 * Hostile values and what a rendered comment does with them, for test/app/status-escaping.test.ts
 * and its long run, test/corpora/status-escaping.corpus.ts.
 */
const RECORD_OPEN = "<!-- onerecord-access:record v1 ";

export const T = "2026-06-01T10:00:00Z";
export const URL = "https://github.com/acme/access-requests/issues/7";
export const config = defaultConfig();

/** GitHub's own parse of a comment: CommonMark plus the GFM extensions. */
export const parse = (body: string): Root =>
  fromMarkdown(body, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });

export function nodes(tree: Nodes, out: Nodes[] = []): Nodes[] {
  out.push(tree);
  if ("children" in tree) for (const child of tree.children) nodes(child, out);
  return out;
}

/** What a comment does besides showing text: its node shapes and GitHub's text-level autolinks. */
export function effects(body: string): Record<string, number> {
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
export function hostileRecord(v: string, stage: AccessRecord["stage"], problems: FormProblem[] = []): AccessRecord {
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

export const problemsFor = (v: string): FormProblem[] => {
  const form = parseRequestForm(formBody({ option: v, devices: [v], networkPaths: [v] }));
  return form.recognized ? form.problems : [];
};

export const PIECES = [
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
export const benignProblems = (problems: FormProblem[]): FormProblem[] =>
  problems.map((p) => ({ field: p.field, message: "**Label** x" }));
/** Whitespace as Markdown shows it: runs collapse, ends trim. */
export const shown = (text: string) => text.replace(/\s+/g, " ").trim();

export const hostile = fc
  .array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(""));
const stages: AccessRecord["stage"][] = ["requested", "certificates", "tokens", "rejected"];

/** The status comment property, over `numRuns` random hostile values and stages. */
export function statusRendersLiterally(numRuns: number): void {
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
    { numRuns },
  );
}
