import { finding, type Finding } from "./findings.js";
import type { TrustAnchor } from "./trust-store.js";

/**
 * The renewal warning: a valid certificate whose path ends at a multi-purpose or TLS-server root
 * under which its CA stops issuing client-authentication certificates (dates and sources in
 * roots.json, from ../shared/ccadb/README.md). It works now; its renewal must come from a
 * client-authentication hierarchy. Roots the allowlist has no facts for (configured, --trust)
 * get no warning: the tool does not know their CA's plans.
 *
 * It is given whatever the validation time: before the date the next renewal may still carry
 * clientAuth but the one after will not, and after it the certificate stays valid to its expiry
 * while no renewal like it exists. Invalid certificates do not get it; their errors come first.
 */
export function renewalWarnings(anchor: TrustAnchor): Finding[] {
  const profile = anchor.profile;
  const ends = profile?.clientAuthEnds;
  if (!profile || !ends) return [];
  return [
    finding(
      "client-auth-ending",
      `the path ends at ${profile.name}, a ${profile.purpose}: ${ends.basis}. This certificate works now, but its renewal must come from a client-authentication hierarchy: for certificates issued from ${ends.date}, buy ${ends.buyInstead}`,
    ),
  ];
}
