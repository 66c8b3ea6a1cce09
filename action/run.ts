import * as core from "@actions/core";
import { isOneRecordError } from "../src/errors.js";
import { readRunContext } from "./context.js";
import { readInputs } from "./inputs.js";
import { issueTokens } from "./issue-tokens/index.js";
import { validateCertificates, type Dependencies } from "./validate-certificates/index.js";

/**
 * The one place errors become a failed step. An expected error (bad input, bad configuration,
 * API refusal) shows its message only; anything else shows its message too, never a stack or
 * the `cause` (which may carry request details), and never key or token material.
 */
export async function run(deps: Dependencies & { env?: NodeJS.ProcessEnv; now?: () => Date } = {}): Promise<void> {
  try {
    const inputs = readInputs();
    const context = readRunContext(deps.env ?? process.env);
    switch (inputs.mode) {
      case "validate-certificates":
        await validateCertificates(inputs, context, deps);
        break;
      case "issue-tokens":
        await issueTokens(inputs, context, deps);
        break;
      default: {
        // Exhaustive: a mode added to the inputs without a handler does not compile.
        const unsupported: never = inputs.mode;
        throw new Error(`unsupported mode ${String(unsupported)}`);
      }
    }
  } catch (error) {
    if (isOneRecordError(error)) core.setFailed(error.message);
    else core.setFailed(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
