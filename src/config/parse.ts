import { parse as parseYaml } from "yaml";
import { OneRecordError } from "../errors.js";
import { configSchema, resolveConfig, type AccessConfig } from "./schema.js";

export const CONFIG_PATH = ".github/onerecord-access.yml";

/**
 * Validates an already-loaded config object (Probot's config loader hands us one) and resolves
 * defaults. The first problem is reported with its dotted field path so a reviewer can fix it.
 */
export function parseConfigObject(value: unknown, source = CONFIG_PATH): AccessConfig {
  const result = configSchema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.map(String).join(".") || "(root)";
    throw new OneRecordError("config-invalid", `${source}: ${field}: ${issue.message}`, { field });
  }
  return resolveConfig(result.data);
}

/**
 * Parses YAML text (the Action and CLI read the file themselves). `source` names the file in
 * messages: the CLI passes the file its user gave, which need not be the default path.
 */
export function parseConfigText(text: string, source = CONFIG_PATH): AccessConfig {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 50 });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : "unreadable";
    throw new OneRecordError("config-invalid", `${source}: not valid YAML: ${message}`, { field: "(root)" });
  }
  return parseConfigObject(value, source);
}

export function defaultConfig(): AccessConfig {
  return parseConfigObject({});
}
