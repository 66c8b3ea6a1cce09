export * from "./types.js";
export * from "./findings.js";
export { TrustStore, trustAnchorFromPem, type TrustAnchor } from "./trust-store.js";
export { validateCertificateBytes, summarize, DEFAULT_WARN_DAYS } from "./validate.js";
export { applyLayout, parseCertificatePath, isUnderCertificateFolder, DEFAULT_PATH_PATTERN } from "./layout.js";
export { validatePaths, type ValidatePathsOptions } from "./files.js";
export { findPrivateKeys } from "./private-keys.js";
export { MAX_FILE_BYTES, MAX_CERTIFICATES_PER_FILE } from "./decode.js";
export { displaySafe } from "./names.js";
