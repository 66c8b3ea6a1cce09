import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";
import type { FakeComment, FakeGitHub } from "../test/app/helpers/fake-github.js";

/**
 * One page of the issue thread as GitHub shows it. Every body (the form, each comment, each job
 * summary) is untrusted text: it goes through a GFM renderer (marked) and then an allowlist
 * sanitizer (sanitize-html), as GitHub sanitizes rendered Markdown; HTML comments (the record's
 * markers) are dropped, as GitHub hides them. The stylesheet is GitHub's own Markdown CSS
 * (github-markdown-css), inlined so the page is one self-contained file.
 */
// `breaks`: GitHub renders a line break in an issue or comment as a line break.
const marked = new Marked({ gfm: true, breaks: true });
const require = createRequire(import.meta.url);

const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, "details", "summary", "img", "input", "del", "ins", "sup", "sub"],
  allowedAttributes: {
    ...sanitizeHtml.defaults.allowedAttributes,
    a: ["href", "name", "title"],
    img: ["src", "alt", "title"],
    input: ["type", "checked", "disabled"],
    th: ["align"],
    td: ["align"],
    details: ["open"],
  },
  allowedSchemes: ["https", "http", "mailto"],
};

export function renderMarkdown(text: string): string {
  return sanitizeHtml(marked.parse(text, { async: false }), ALLOWED);
}

function escape(text: string): string {
  return sanitizeHtml(text, { allowedTags: [], allowedAttributes: {}, disallowedTagsMode: "escape" });
}

/** Black or white text on a label's background, by the background's relative luminance (WCAG 2). */
function labelText(hex: string): string {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  return l > 0.179 ? "#1f2328" : "#ffffff";
}

function chip(gh: FakeGitHub, name: string): string {
  const color = /^[0-9a-f]{6}$/i.test(gh.labels.get(name)?.color ?? "") ? gh.labels.get(name)!.color : "ededed";
  return `<span class="label" style="background:#${color};color:${labelText(color)}">${escape(name)}</span>`;
}

function commentBox(author: string, at: string, body: string, bot: boolean): string {
  return [
    `<div class="comment"><div class="comment-header"><b>${escape(author)}</b>${bot ? ' <span class="bot">bot</span>' : ""}`,
    ` commented <time>${escape(at)}</time></div>`,
    `<div class="markdown-body comment-body">${renderMarkdown(body)}</div></div>`,
  ].join("");
}

export interface PageInput {
  gh: FakeGitHub;
  request: number;
  checks: Array<{ title: string; summary: string; passed: boolean }>;
}

const LAYOUT = `
body { background: #ffffff; margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1012px; margin: 24px auto; padding: 0 16px; }
h1.title { font-weight: 400; font-size: 32px; margin: 0 0 8px; }
.state { display: inline-block; border-radius: 2em; padding: 4px 12px; color: #fff; font-weight: 500; }
.state.open { background: #1f883d; } .state.closed { background: #8250df; }
.label { display: inline-block; border-radius: 2em; padding: 0 7px; margin: 0 4px 4px 0; font-size: 12px; font-weight: 500; line-height: 20px; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; margin: 16px 0; }
.comment-header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e; font-size: 14px; border-radius: 6px 6px 0 0; }
.comment-header b { color: #1f2328; }
.bot { border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 6px; font-size: 12px; }
.comment-body { padding: 16px; }
section.checks h2 { border-top: 1px solid #d1d9e0; padding-top: 24px; }
`;

/** The page: title, state and labels, the thread in order, then the PR check's job summaries. */
export function renderPage(input: PageInput): string {
  const { gh, request } = input;
  const issue = gh.issues.get(request)!;
  const thread = [...gh.commentsOn(request)].sort((a: FakeComment, b: FakeComment) => a.id - b.id);
  const css = readFileSync(require.resolve("github-markdown-css/github-markdown-light.css"), "utf8");
  const checks = input.checks.map(
    (c) =>
      `<div class="comment"><div class="comment-header"><b>${c.passed ? "✅ passed" : "❌ failed"}: ${escape(c.title)}</b> — job summary</div>` +
      `<div class="markdown-body comment-body">${renderMarkdown(c.summary)}</div></div>`,
  );
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${escape(`${issue.title} · #${request}`)}</title>`,
    `<style>${css}\n${LAYOUT}</style></head><body><main>`,
    `<h1 class="title">${escape(issue.title)} <span style="color:#59636e">#${request}</span></h1>`,
    `<p><span class="state ${issue.state}">${issue.state === "open" ? "Open" : "Closed"}</span> `,
    `<span id="labels">${issue.labels.map((l) => chip(gh, l)).join("")}</span></p>`,
    commentBox(issue.user.login, issue.created_at, issue.body, false),
    ...thread.map((c) => commentBox(c.user.login, c.created_at, c.body, c.user.type === "Bot")),
    `<section class="checks"><h2>Pull request checks</h2>${checks.join("")}</section>`,
    "</main></body></html>",
  ].join("\n");
}
