import { SignJWT } from "jose";
import type { DeviceClaims } from "./claims.js";
import type { SigningKey } from "./signing-key.js";

/** Signs the claims as a compact JWS; `kid` lets the API pick the key from the published JWKS. */
export async function signDeviceToken(claims: DeviceClaims, key: SigningKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" }).sign(key.privateKey);
}
