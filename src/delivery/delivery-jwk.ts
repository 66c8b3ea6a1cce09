import { createPublicKey } from "node:crypto";

/**
 * The customer's delivery public key (issue 20, option 2): the public JWK pasted into the form,
 * to which OneRecord encrypts each device's private key. Judged here once, for the form and for
 * the workflow that encrypts to it. Only elliptic-curve keys on the NIST curves are taken — what
 * `onerecord-access delivery-key` makes (P-256), and what JWE's ECDH-ES (RFC 7518 §4.6) agrees a
 * key with — and only their public members: a JWK holding `d` is a private key pasted into a
 * public issue, refused and never echoed. Never throws on input.
 */

export const DELIVERY_CURVES = ["P-256", "P-384", "P-521"] as const;

/** A pasted JWK is a few hundred characters; anything much larger is not one. */
export const DELIVERY_JWK_MAX = 2_000;

export type DeliveryKeyProblem = "not-json" | "private-part" | "unsupported-key" | "unusable-key";

export type DeliveryKeyVerdict =
  { ok: true; jwk: DeliveryJwk } | { ok: false; code: DeliveryKeyProblem; reason: string };

/** The public JWK as kept in the record: exactly these members. */
export interface DeliveryJwk {
  kty: "EC";
  crv: (typeof DELIVERY_CURVES)[number];
  x: string;
  y: string;
}

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const PRIVATE_PART =
  "holds a private key: that is your private key, now visible to everyone who can read this issue. Make a new pair with `onerecord-access delivery-key`, paste only the public key it prints, and delete the exposed one";
const B64URL = /^[A-Za-z0-9_-]{1,200}$/;

/** Synchronous (Node's JWK import checks the point), so the form parser can call it. */
export function judgeDeliveryJwk(text: string): DeliveryKeyVerdict {
  // A private key in any form — the delivery.key file itself, a JWK or JWKS with a private member — is said first.
  if (/PRIVATE KEY-----|"(?:d|p|q|dp|dq|qi|k)"\s*:/.test(text)) return refuse("private-part", PRIVATE_PART);
  const value = parseJson(text);
  if (!value)
    return refuse("not-json", "is not a JSON Web Key: paste the one line `onerecord-access delivery-key` printed");
  // Checked first, and whatever else is wrong: a private part must be said before anything.
  if (PRIVATE_MEMBERS.some((m) => m in value)) return refuse("private-part", PRIVATE_PART);
  const { kty, crv, x, y } = value;
  if (kty !== "EC" || !DELIVERY_CURVES.includes(crv as DeliveryJwk["crv"]))
    return refuse(
      "unsupported-key",
      `must be an EC key on ${DELIVERY_CURVES.join(", ")} (kty "EC"), as \`onerecord-access delivery-key\` makes`,
    );
  if (typeof x !== "string" || typeof y !== "string" || !B64URL.test(x) || !B64URL.test(y))
    return refuse("unusable-key", "has no usable public point (`x`, `y` in base64url)");
  const jwk: DeliveryJwk = { kty: "EC", crv: crv as DeliveryJwk["crv"], x, y };
  try {
    createPublicKey({ key: { ...jwk }, format: "jwk" });
  } catch {
    return refuse("unusable-key", "is not a point on its curve");
  }
  return { ok: true, jwk };
}

function parseJson(text: string): Record<string, unknown> | null {
  if (text.length > DELIVERY_JWK_MAX) return null;
  try {
    const value: unknown = JSON.parse(text.trim().replace(/^```(?:json)?\s*|\s*```$/g, ""));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function refuse(code: DeliveryKeyProblem, reason: string): DeliveryKeyVerdict {
  return { ok: false, code, reason };
}
