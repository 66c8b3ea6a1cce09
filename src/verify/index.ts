/**
 * `onerecord-access/verify`: what the OneRecord API imports to accept device tokens over mutual
 * TLS, with revocation checked against the token status list (docs/tokens.md).
 */
export {
  createDeviceVerifier,
  httpStatus,
  type DeviceVerifier,
  type DeviceVerifierOptions,
  type Middleware,
  type RequestFailureCode,
  type RequestLike,
  type RequestVerdict,
  type ResponseLike,
} from "./device-verifier.js";
export { bearerToken } from "./bearer.js";
export {
  createStatusListCache,
  verifyStatusList,
  verifyDeviceToken,
  fetchStatusListJwt,
  type DeviceClaims,
  type StatusListCache,
  type StatusListVerification,
  type VerifiedStatusList,
  type VerifyFailureCode,
  type VerifyResult,
} from "../tokens/index.js";
