export * from "./schema.js";
export {
  readRecord,
  writeRecord,
  findStatusComment,
  isAuthoredBy,
  STATUS_MARKER,
  COMMENT_LIMIT,
  type AuthoredComment,
  type RecordEncoding,
} from "./codec.js";
export {
  thumbprintFromFingerprint,
  currentCertificates,
  hasCurrentToken,
  devicesNeedingTokens,
  tokensComplete,
} from "./tokens.js";
