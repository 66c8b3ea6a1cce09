import { parseConfigText } from "../config/parse.js";
import type { AccessConfig } from "../config/schema.js";
import { optionSubject } from "../tokens/token-input.js";
import { refuseKeyMaterial } from "./option-file.js";

// Loaded only when a command is given --config: the configuration schema (zod) and the YAML
// parser are a third of `validate`'s start-up, and most runs name no configuration.

/**
 * A `--config FILE` the user gave: refused when it holds a key, and every message names that file
 * (not the default .github/onerecord-access.yml), so the user fixes the file they passed.
 */
export function parseConfigOption(text: string, path: string): AccessConfig {
  refuseKeyMaterial(Buffer.from(text, "utf8"), "--config", path, "configuration file (.github/onerecord-access.yml)");
  return parseConfigText(text, optionSubject("--config", path));
}
