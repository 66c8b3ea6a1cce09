/**
 * One definition of a device id, shared by the request form, the certificate file layout and the
 * token subject. Deliberately narrow: it becomes a file name, a label-free identifier in comments
 * and the JWT `sub`, so it must never need escaping in any of them.
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isValidDeviceId(value: string): boolean {
  return DEVICE_ID_PATTERN.test(value) && !value.includes("..");
}

/** Device ids compare case-insensitively so `Device-1` and `device-1` cannot both hold a certificate. */
export function deviceKey(deviceId: string): string {
  return deviceId.toLowerCase();
}
