export { x5tS256 } from "./thumbprint.js";
export {
  readDeviceCertificate,
  certificateDer,
  type CertificateInput,
  type DeviceCertificate,
  type PeerCertificateLike,
} from "./certificate.js";
export {
  loadSigningKey,
  isSigningAlgorithm,
  SIGNING_ALGORITHMS,
  DEFAULT_SIGNING_ALGORITHM,
  type SigningAlgorithm,
  type SigningKey,
  type PublicJwks,
  type PublicSigningJwk,
} from "./signing-key.js";
export { buildDeviceClaims, type ClaimsInput, type DeviceClaims } from "./claims.js";
export { signDeviceToken } from "./sign.js";
export {
  encryptForDevice,
  keyManagementFor,
  KEY_MANAGEMENT_ALGORITHMS,
  CONTENT_ENCRYPTION,
  type KeyManagementAlgorithm,
} from "./encrypt.js";
export { decryptDeviceToken, loadDevicePrivateKey } from "./decrypt.js";
export { looksLikeCompactJwe, looksLikeCompactJws } from "./compact.js";
export { parseJwks, parseJwksText } from "./jwks.js";
export { verifyDeviceToken, type VerifyOptions, type VerifyResult, type VerifyFailureCode } from "./verify.js";
export { issueDeviceToken, type IssueInput, type IssuedToken } from "./issue.js";
export { type StatusListReference } from "./claims.js";
export { statusUriProblem, isStatusIndex, MAX_STATUS_URI_LENGTH } from "./status-uri.js";
export {
  buildStatusList,
  decodeStatusList,
  isStatusListBits,
  MAX_STATUS_LIST_BYTES,
  STATUS_INVALID,
  STATUS_LIST_BITS,
  STATUS_SUSPENDED,
  STATUS_VALID,
  type DecodedStatusList,
  type DecodeResult,
  type StatusListBits,
  type StatusListClaim,
} from "./status-list-format.js";
export { signStatusList, STATUS_LIST_JWT_TYPE, type StatusListInput } from "./status-list-sign.js";
export {
  verifyStatusList,
  MAX_STATUS_LIST_JWT_LENGTH,
  type StatusListFailureCode,
  type StatusListVerification,
  type VerifiedStatusList,
  type VerifyStatusListOptions,
} from "./status-list-verify.js";
export {
  fetchStatusListJwt,
  StatusListFetchError,
  type FetchStatusListOptions,
  type StatusListFetcher,
} from "./status-list-fetch.js";
export {
  createStatusListCache,
  type StatusListCache,
  type StatusListCacheOptions,
  type StatusListLookup,
} from "./status-list-cache.js";
export { checkTokenStatus, type StatusFailureCode, type StatusListSource, type StatusOptions } from "./status-check.js";
