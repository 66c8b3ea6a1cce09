import * as core from "@actions/core";
import { isOneRecordError } from "../src/errors.js";
import { readRunContext } from "./context.js";
import { readInputs } from "./inputs.js";
import type { Dependencies } from "./validate-certificates/index.js";

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
      // Each mode loads its own code (a chunk of the bundle) only when it runs: a start-up pays
      // for one mode, and validating an empty workspace loads no GitHub API client at all.
      case "validate-certificates":
        await (await import("./validate-certificates/index.js")).validateCertificates(inputs, context, deps);
        break;
      case "issue-tokens":
        await (await import("./issue-tokens/index.js")).issueTokens(inputs, context, deps);
        break;
      case "obtain-certificates":
        await (await import("./obtain-certificates/index.js")).obtainCertificates(inputs, context, deps);
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
