// The library's public surface: certificate validation, device tokens, configuration.
export * from "./certificates/index.js";
export * from "./tokens/index.js";
export { parseConfigObject, parseConfigText, defaultConfig, CONFIG_PATH } from "./config/parse.js";
export type { AccessConfig } from "./config/schema.js";
export { OneRecordError, isOneRecordError, type ErrorCode } from "./errors.js";
