import { findPrivateKeys } from "../certificates/index.js";
import { parseConfigText } from "../config/parse.js";
import type { AccessConfig } from "../config/schema.js";
import { OneRecordError } from "../errors.js";
import { optionSubject } from "../tokens/token-input.js";

/**
 * Options that take a public file (a certificate, a root, a JWKS) and were handed the private key
 * instead, the commonest mix-up with key pairs. The message says what happened and what to pass;
 * it never quotes the file. Nothing left the machine, so it does not ask for the key's rotation.
 */
export function refuseKeyMaterial(bytes: Uint8Array, option: string, path: string, wanted: string): void {
  const kinds = findPrivateKeys(bytes);
  if (kinds.length === 0) return;
  throw new OneRecordError(
    "usage",
    `${optionSubject(option, path)}: this is a private key (${kinds.join(", ")}); pass the ${wanted}, and keep the key where it is`,
  );
}

/**
 * A `--config FILE` the user gave: refused when it holds a key, and every message names that file
 * (not the default .github/onerecord-access.yml), so the user fixes the file they passed.
 */
export function parseConfigOption(text: string, path: string): AccessConfig {
  refuseKeyMaterial(Buffer.from(text, "utf8"), "--config", path, "configuration file (.github/onerecord-access.yml)");
  return parseConfigText(text, optionSubject("--config", path));
}
