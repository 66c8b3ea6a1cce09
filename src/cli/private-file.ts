import { writeFileSync } from "node:fs";
import { OneRecordError } from "../errors.js";
import { optionSubject } from "../tokens/token-input.js";

/**
 * A private key written for the customer: created new (never over an existing file: a key is
 * not silently replaced) with mode 0600, readable by its owner only. The key never goes to a
 * terminal, nor into a message.
 */
export function writePrivateFile(path: string, pem: string, option = "--out"): void {
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: "wx" });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "EEXIST" ? "exists already (remove it, or name another file)" : "cannot be written";
    throw new OneRecordError("io-error", `${optionSubject(option, path)}: ${why}`);
  }
}
