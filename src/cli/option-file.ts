import { findPrivateKeys } from "../certificates/index.js";
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
