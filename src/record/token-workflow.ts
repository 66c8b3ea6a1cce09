/**
 * The token workflow as the app and the Action both know it: one vocabulary, defined once.
 * The workflow itself is .github/workflows/issue-tokens.yml; what it does and how the app checks
 * it is docs/token-workflow.md.
 */

/** The account the token workflow's GITHUB_TOKEN posts its issuance comments as. */
export const TOKEN_WORKFLOW_BOT = "github-actions[bot]";

/**
 * The token workflow's `run-name` (.github/workflows/issue-tokens.yml), which GitHub reports as
 * the run's `display_title`: written by `tokenRunTitle`, read by `TOKEN_RUN_TITLE` (matched whole:
 * anything else is some other run, or a title a person typed).
 */
export function tokenRunTitle(request: number): string {
  return `Issue tokens for request #${request}`;
}
export const TOKEN_RUN_TITLE = /^Issue tokens for request #([1-9][0-9]{0,8})$/;

/** Where GitHub keeps a repository's workflow files. */
export const WORKFLOWS_FOLDER = ".github/workflows/";

/** `.github/workflows/<file>`: where the configured token workflow (config `tokens.workflow`) lives. */
export function tokenWorkflowPath(workflowFile: string): string {
  return `${WORKFLOWS_FOLDER}${workflowFile}`;
}

/**
 * A run's `path` as the API reports it: `.github/workflows/x.yml`, also from the
 * `owner/repo/.github/workflows/x.yml@ref` spelling. Lenient: the caller compares the result with
 * `tokenWorkflowPath`, so anything unexpected simply does not match.
 */
export function runPath(path: string, repository: string): string {
  const withoutRef = path.replace(/@[^@]*$/, "");
  const prefix = `${repository}/`;
  return withoutRef.toLowerCase().startsWith(prefix.toLowerCase()) ? withoutRef.slice(prefix.length) : withoutRef;
}

/**
 * The runner's GITHUB_WORKFLOW_REF, "owner/repo/.github/workflows/issue-tokens.yml@refs/heads/main"
 * → ".github/workflows/issue-tokens.yml". Strict, unlike `runPath`: a reference of another
 * repository, or without its `@ref`, gives "" (which the Action's decision refuses).
 */
export function workflowPathOfRef(workflowRef: string, repository: string): string {
  const prefix = `${repository}/`;
  if (!workflowRef.toLowerCase().startsWith(prefix.toLowerCase())) return "";
  const at = workflowRef.indexOf("@", prefix.length);
  return at < 0 ? "" : workflowRef.slice(prefix.length, at);
}

/**
 * The shape of the tokens the workflow delivers: compact JWEs (RFC 7516 §7.1). Defined with the
 * token code (src/tokens/compact.ts), which must not depend on the record; re-exported here so the
 * app and the Action read it from their shared vocabulary.
 */
export { COMPACT_JWE } from "../tokens/compact.js";
