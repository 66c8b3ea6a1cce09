/**
 * The one way to run the CLI, wherever a person is told to (README, docs, the CLI's help, the
 * app's status comment, the Action's issuance comment): the committed single-file bundle, from
 * the root of a clone of the requests repository, with nothing but Node.js. The package name is
 * not published on npm, so it is never run through npx (which would fetch whatever claims it).
 */
export const RUN_CLI = "node cli/dist/onerecord-access.js";

/** How a customer decrypts a delivered token: shown once, next to the tokens, in the issuance comment. */
export const DECRYPT_COMMAND = `${RUN_CLI} decrypt-token --key DEVICE.key JWE`;
