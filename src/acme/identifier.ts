/**
 * The name a device's certificate carries when OneRecord obtains it (option 2): the configured
 * template (`certificates.onBehalf.identifier`, such as `{device}.{account}.devices.example.com`)
 * with the device and account ids, each one DNS label (RFC 1035 §2.3.1 as RFC 5280 §4.2.1.6 wants
 * for a dNSName: letters, digits, hyphens; 1–63 characters; no hyphen first or last). A device id
 * with `.` or `_` is refused rather than rewritten: rewriting could give two devices one name.
 * Pure.
 */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why an id cannot be a label of the certificate's name, or null. */
export function dnsLabelProblem(id: string): string | null {
  if (LABEL.test(id.toLowerCase())) return null;
  return "must be a DNS label for a certificate OneRecord obtains: letters, digits and '-', at most 63, no '-' first or last (no '.' or '_')";
}

export type IdentifierResult = { ok: true; name: string } | { ok: false; reason: string };

export function deviceIdentifier(template: string, device: string, account: string): IdentifierResult {
  for (const [what, id] of [
    ["device id", device],
    ["account id", account],
  ] as const) {
    const problem = dnsLabelProblem(id);
    if (problem) return { ok: false, reason: `the ${what} ${JSON.stringify(id.slice(0, 80))} ${problem}` };
  }
  const name = template.replaceAll("{device}", device).replaceAll("{account}", account).toLowerCase();
  const labels = name.split(".");
  if (name.length > 253 || labels.length < 3 || !labels.every((l) => LABEL.test(l)))
    return { ok: false, reason: `the template gives ${JSON.stringify(name.slice(0, 260))}, not a DNS name` };
  return { ok: true, name };
}
