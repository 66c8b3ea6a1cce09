import type { Name } from "@peculiar/asn1-x509";

/**
 * Distinguished names for display and for ordering path candidates, rendered from the DER (in its
 * order: "C=US, O=…, CN=…"). Node's `X509Certificate.subject` drops values it cannot print, so
 * two different names can print alike there; this rendering keeps every character, escaped.
 */
const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "title",
  "2.5.4.15": "businessCategory",
  "2.5.4.17": "postalCode",
  "2.5.4.42": "GN",
  "2.5.4.97": "organizationIdentifier",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
  "1.2.840.113549.1.9.1": "emailAddress",
  "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL",
  "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
  "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
};

// Certificate fields are attacker-controlled: keep control and bidi-override characters out of
// every place a name is shown (terminals, logs, annotations).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function displaySafe(value: string): string {
  return value.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

type Attribute = Name[number][number];

export function renderName(name: Name): string {
  return name.map((rdn) => rdn.map((atv) => shownAttribute(atv, atv.value.toString())).join("+")).join(", ");
}

/** `CN=value`, the value's DN specials escaped and made display-safe. */
function shownAttribute(atv: Attribute, text: string): string {
  return `${SHORT_NAMES[atv.type] ?? atv.type}=${displaySafe(text.replace(/[,+\\"]/g, "\\$&"))}`;
}

/**
 * A distinguished name in the form two names are compared in (RFC 5280 §7.1): attribute by
 * attribute, RDNs in order, the attributes of one RDN as a set; string values with leading and
 * trailing spaces removed, inner runs of spaces collapsed and ASCII letters in one case, whatever
 * string type encodes them. That is the comparison OpenSSL makes (its canonical name encoding);
 * full Unicode case folding (RFC 4518) would match names the TLS stack does not, so it is not
 * used. Values that are no string are compared by their bytes.
 */
export function nameRdnKeys(name: Name): string[] {
  return name.map((rdn) =>
    rdn
      .map((atv) => keyedAttribute(atv, atv.value.toString()))
      .sort()
      .join("+"),
  );
}

function keyedAttribute(atv: Attribute, text: string): string {
  const value = atv.value.anyValue
    ? `#${Buffer.from(atv.value.anyValue).toString("hex")}`
    : JSON.stringify(canonicalText(text));
  return `${atv.type}=${value}`;
}

/** One string for a whole name: equal keys mean the names match under RFC 5280 §7.1. */
export function nameKey(name: Name): string {
  return JSON.stringify(nameRdnKeys(name));
}

export interface NameFacts {
  display: string;
  rdnKeys: string[];
  key: string;
}

const FACTS = new WeakMap<Name, NameFacts>();

/**
 * renderName, nameRdnKeys and nameKey of one name, computed once per Name object: the reader
 * hands every leaf of a CA the same issuer Name (certificate-view.ts). Callers must not modify
 * what they get. One pass reads each value's text once for both forms.
 */
export function nameFacts(name: Name): NameFacts {
  let facts = FACTS.get(name);
  if (!facts) {
    const shown: string[] = [];
    const rdnKeys: string[] = [];
    for (const rdn of name) {
      const shownRdn: string[] = [];
      const keys: string[] = [];
      for (const atv of rdn) {
        const text = atv.value.toString();
        shownRdn.push(shownAttribute(atv, text));
        keys.push(keyedAttribute(atv, text));
      }
      shown.push(shownRdn.join("+"));
      rdnKeys.push(keys.sort().join("+"));
    }
    facts = { display: shown.join(", "), rdnKeys, key: JSON.stringify(rdnKeys) };
    FACTS.set(name, facts);
  }
  return facts;
}

/** Space, tab, line feed, carriage return, form feed, vertical tab: what the patterns here call space. */
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b]);

/** A string value as name keys hold it: trimmed, inner spaces collapsed, ASCII letters lower case. */
export function canonicalText(text: string): string {
  // Trimmed by scanning, not by /^\s+|\s+$/: that pattern retries the end anchor at every
  // character of a run of spaces, quadratic in a name an attacker writes (seconds for 100 KB).
  let start = 0;
  let end = text.length;
  while (start < end && SPACE.has(text.charCodeAt(start))) start++;
  while (end > start && SPACE.has(text.charCodeAt(end - 1))) end--;
  const collapsed = text.slice(start, end).replace(/[ \t\n\r\f\v]+/g, " ");
  // Only ASCII letters change case; in an ASCII string those are all toLowerCase changes.
  return ASCII.test(collapsed) ? collapsed.toLowerCase() : collapsed.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

// eslint-disable-next-line no-control-regex -- every ASCII character, control characters included
const ASCII = /^[\u0000-\u007f]*$/;
