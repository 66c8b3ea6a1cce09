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
