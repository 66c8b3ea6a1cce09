import { describeHiddenOrMixed } from "./identifier-text.js";

/**
 * The OneRecord account id: what the request converts to production and what every device token
 * carries as its `account` claim. An id, never prose: an API compares it byte for byte, so it is
 * lower-case ASCII and never normalised behind the requester's back.
 */
export const ACCOUNT_ID_MAX_LENGTH = 64;
export const ACCOUNT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const ACCOUNT_ID_RULE = `lower-case ASCII letters, digits, '.', '_' and '-', starting with a letter or digit, at most ${ACCOUNT_ID_MAX_LENGTH} characters`;
export const ACCOUNT_ID_EXAMPLE = "acme-health";

export function isValidAccountId(value: string): boolean {
  return ACCOUNT_ID_PATTERN.test(value);
}

/** Why a value is not an account id, most specific reason first; the value is not quoted. */
export function accountIdProblem(value: string): string | undefined {
  if (isValidAccountId(value)) return undefined;
  const hidden = describeHiddenOrMixed(value);
  if (hidden) return hidden;
  if (/\s/.test(value.trim())) return `an account id is one word, such as ${ACCOUNT_ID_EXAMPLE} (${ACCOUNT_ID_RULE})`;
  if (/[A-Z]/.test(value) && isValidAccountId(value.toLowerCase()))
    return `write it in lower case, as OneRecord shows it (${ACCOUNT_ID_RULE})`;
  if (value.length > ACCOUNT_ID_MAX_LENGTH) return `${value.length} characters; at most ${ACCOUNT_ID_MAX_LENGTH}`;
  return `an account id is ${ACCOUNT_ID_RULE}`;
}
