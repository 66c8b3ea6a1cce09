import ipaddr from "ipaddr.js";
import { escapeText } from "../render/markdown.js";

export type CidrCheck = { ok: true; cidr: string } | { ok: false; message: string };

/**
 * The networks the form, the README and the messages give as examples. They must pass this very
 * check (test/app/intake-text.test.ts), so they are public ranges: the documentation ranges
 * (192.0.2.0/24, 203.0.113.0/24, 2001:db8::/32) are reserved, and refused below as egress.
 */
export const CIDR_EXAMPLES = { ipv4: "8.8.4.0/24", ipv6: "2a00:1450:4001::/48" } as const;

/** Ranges no traffic to a public API can come from: listing them is a mistake worth naming. */
const NOT_EGRESS = new Set([
  "private",
  "loopback",
  "linkLocal",
  "multicast",
  "unspecified",
  "reserved",
  "broadcast",
  "carrierGradeNat",
  "uniqueLocal",
  "benchmarking",
]);
// Wider networks than these are not "our egress addresses" but "anyone".
const MIN_PREFIX = { 4: 8, 6: 16 } as const;

/**
 * One egress network: an IPv4 or IPv6 address (Node's own parser decides what an address is),
 * a prefix length, no host bits set, and a public range. Returns the canonical form.
 */
export function checkCidr(text: string): CidrCheck {
  const quoted = escapeText(text, 60);
  const shape = lineShapeProblem(text, quoted);
  if (shape) return { ok: false, message: shape };
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  // node:net is loaded here rather than at start-up, where the CLI's `validate` would pay for it.
  const family = process.getBuiltinModule("node:net").isIP(address);
  if (family === 0)
    return {
      ok: false,
      message: `"${quoted}" is not an IPv4 or IPv6 network (write it as address/prefix-length, one a line)`,
    };
  if (slash < 0)
    return {
      ok: false,
      message: `"${quoted}" has no prefix length (add /${family === 4 ? 32 : 128} for a single address)`,
    };
  const prefixText = text.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  const prefix = /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max))
    return { ok: false, message: `"${quoted}" has an invalid prefix length (0 to ${max} for IPv${family})` };
  if (prefix < MIN_PREFIX[family as 4 | 6]) {
    return {
      ok: false,
      message: `"${quoted}" is too broad: list your own egress networks (at least /${MIN_PREFIX[family as 4 | 6]} for IPv${family})`,
    };
  }
  const [parsed] = ipaddr.parseCIDR(`${address}/${prefix}`);
  const network =
    family === 4
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${prefix}`);
  const canonical = `${family === 4 ? network.toString() : (network as ipaddr.IPv6).toRFC5952String()}/${prefix}`;
  if (network.toNormalizedString() !== parsed.toNormalizedString()) {
    return { ok: false, message: `"${quoted}" has host bits set: did you mean ${canonical}?` };
  }
  const range = parsed.range();
  if (NOT_EGRESS.has(range)) {
    return {
      ok: false,
      message:
        `"${quoted}" is a ${range.replace(/([A-Z])/g, " $1").toLowerCase()} range, not a ` +
        `public egress address: list the public networks your traffic to OneRecord leaves from`,
    };
  }
  return { ok: true, cidr: canonical };
}

/**
 * Mistakes of the line rather than of the network, named before the network is parsed (else
 * both read as "invalid prefix length"): a trailing comment, and several networks on one line.
 */
function lineShapeProblem(text: string, quoted: string): string | undefined {
  const hash = text.indexOf("#");
  if (hash >= 0)
    return `"${quoted}" has a comment ("#…"): the form reads only networks, so remove it and write the CIDR alone on its line`;
  if (/[,;]|\S\s+\S/.test(text))
    return `"${quoted}" holds several values on one line: write one CIDR a line (for example ${CIDR_EXAMPLES.ipv4})`;
  return undefined;
}
