/**
 * The token workflow as the app and the Action both know it: one vocabulary, defined once.
 */

/** The account the token workflow's GITHUB_TOKEN posts its issuance comments as. */
export const TOKEN_WORKFLOW_BOT = "github-actions[bot]";
