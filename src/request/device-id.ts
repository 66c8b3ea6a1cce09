import { describeHiddenOrMixed } from "./identifier-text.js";

/**
 * One definition of a device id, shared by the request form, the certificate file layout and the
 * token subject. Deliberately narrow: it becomes a file name, a label-free identifier in comments
 * and the JWT `sub`, so it must never need escaping in any of them.
 *
 * The rule's wording below is the only one: the issue form, the README and the app's messages
 * quote it (test/app/intake-text.test.ts checks the form and the README against it).
 */
export const DEVICE_ID_MAX_LENGTH = 64;
/** One request covers at most this many devices; the status comment is sized for it. */
export const MAX_DEVICES = 500;
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What a device id is, in words: stated identically in the form, the README and the messages. */
export const DEVICE_ID_RULE = `ASCII letters, digits, '.', '_' and '-', starting with a letter or digit, no '..', at most ${DEVICE_ID_MAX_LENGTH} characters`;
/** What a device list is, in words. */
export const DEVICE_LIST_RULE = `one device id a line, at most ${MAX_DEVICES} devices a request; ids compare case-insensitively`;

export function isValidDeviceId(value: string): boolean {
  return DEVICE_ID_PATTERN.test(value) && !value.includes("..");
}

/** Device ids compare case-insensitively so `Device-1` and `device-1` cannot both hold a certificate. */
export function deviceKey(deviceId: string): string {
  return deviceId.toLowerCase();
}

/**
 * Why a value is not a device id, most specific reason first, without quoting the value (the
 * caller quotes it, escaped): invisible and direction characters and mixed scripts are named,
 * since they make one id look like another.
 */
export function deviceIdProblem(value: string): string | undefined {
  if (isValidDeviceId(value)) return undefined;
  const hidden = describeHiddenOrMixed(value);
  if (hidden) return hidden;
  if (/[,;\s]/.test(value)) return "several ids on one line: write one device id a line";
  if (value.length > DEVICE_ID_MAX_LENGTH) return `${value.length} characters; at most ${DEVICE_ID_MAX_LENGTH}`;
  return `a device id is ${DEVICE_ID_RULE}`;
}
