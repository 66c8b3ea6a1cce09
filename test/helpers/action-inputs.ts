import { INPUT_NAMES, type RawInputs } from "../../action/inputs.js";

/** The Action's inputs as the runner hands them over: every input empty but those given. */
export function rawInputs(given: Partial<RawInputs> = {}): RawInputs {
  return { ...(Object.fromEntries(INPUT_NAMES.map((name) => [name, ""])) as RawInputs), ...given };
}
