import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderPage } from "./page.js";
import { writeEvidence } from "./evidence.js";
import { runStory } from "./story.js";

/**
 * `npm run demo [-- --out DIR]`: the real app on the tests' OpenAPI-checked GitHub stand-in, one
 * request from intake to live, then one HTML page of the issue thread (default folder:
 * demo-output/, gitignored). No GitHub App, no network; keys and tokens are made at run time and
 * never printed.
 *
 * Why the demo imports test/ helpers rather than moving them: the stand-in (fake-github.ts,
 * openapi.ts, payloads.ts, form.ts, scenario.ts, test-ca.ts), the test PKI (test/helpers/pki.ts)
 * and the Action runner (test/action/issue-tokens/runner.ts) are what 100+ tests rely on; one copy,
 * kept where the tests keep it, cannot drift from what is tested. The demo is a developer tool
 * run with tsx from a clone (devDependencies installed), like `npm run bench`, never shipped.
 */
const { values } = parseArgs({ options: { out: { type: "string" } } });
const out = resolve(values.out ?? join(dirname(fileURLToPath(import.meta.url)), "..", "demo-output"));

const result = await runStory((line) => console.log(`• ${line}`));
try {
  const page = renderPage({
    gh: result.s.gh,
    request: result.request,
    checks: result.checks.map((c) => ({ title: c.title, summary: c.run.summary, passed: c.run.code === 0 })),
  });
  mkdirSync(out, { recursive: true });
  const second = result.optionTwo;
  if (second) {
    const path = join(out, `request-${second.request}.html`);
    const checks = second.checks.map((c) => ({ title: c.title, summary: c.run.summary, passed: c.run.code === 0 }));
    writeFileSync(path, renderPage({ gh: result.s.gh, request: second.request, checks }));
    console.log(`• The option-2 request's thread: ${path}`);
  }
  const evidence = await writeEvidence(result.s, out);
  console.log(`• The auditor's report (${evidence.verdict}): ${evidence.audit}`);
  console.log(`• The operator's view of every request: ${evidence.report}`);
  console.log(`• The JSON export re-verified offline (${evidence.offline}): ${evidence.verify}`);
  const path = join(out, `request-${result.request}.html`);
  writeFileSync(path, page);
  console.log(`The issue thread as GitHub would show it: ${path}`);
} finally {
  await result.s.gh.close();
  result.s.stop();
}
