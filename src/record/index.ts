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
export {
  signRecord,
  verifyRecordFile,
  RECORD_JWS_TYPE,
  type RecordSigner,
  type RecordSubject,
  type RecordVerification,
  type RecordFailureCode,
} from "./signature.js";
export {
  ledgerFilePath,
  ledgerFileText,
  parseLedgerFile,
  MAX_LEDGER_FILE_BYTES,
  MAX_RECORD_JSON_BYTES,
  type LedgerFile,
} from "./ledger-file.js";
export {
  RECORD_ALGORITHMS,
  parseRecordJwks,
  recordKeyProblem,
  type RecordAlgorithm,
  type RecordJwks,
  type RecordPublicJwk,
} from "./record-keys.js";
export { loadRecordSigningKey, type RecordSigningKey } from "./record-signing-key.js";
export {
  verifyLedgerHistory,
  type LedgerHistory,
  type LedgerVersion,
  type VersionVerdict,
  type HistoryFailureCode,
} from "./ledger-history.js";
export { madeBy, provenanceOf, type CommitProvenance, type ListedCommit } from "./provenance.js";
export {
  ledgerProtectionProblem,
  missingLedgerRules,
  REQUIRED_LEDGER_RULES,
  LEDGER_RULESET_DOCS,
} from "./ledger-protection.js";
