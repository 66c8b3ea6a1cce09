import { NOT_A_FILE, readBoundedFile } from "../bounded-file.js";
import type { AccessConfig } from "../config/schema.js";
import { OneRecordError } from "../errors.js";
import { parseRecordJwks } from "../record/record-keys.js";
import { fetchStatusListJwt, StatusListFetchError, type StatusListFetcher } from "../tokens/status-list-fetch.js";
import { MAX_STATUS_LIST_JWT_LENGTH } from "../tokens/status-list-verify.js";
import { optionSubject, readOptionFile } from "../tokens/token-input.js";
import { refuseKeyMaterial } from "./option-file.js";

/** A fetch of `--status-list URL` gives up after this long. */
const FETCH_TIMEOUT_MS = 10_000;

/**
 * `verify-token --status-list FILE|URL [--records-jwks FILE]`: where the token's Status List
 * Token comes from, and the keys it is verified with (`--records-jwks`, else the configuration's
 * `records.jwks`). A URL (http or https) is fetched once, bounded in size and time; a file is
 * read bounded (src/bounded-file.ts). The list is verified against the URI the token names
 * whatever its source, so a list saved from elsewhere is judged by its own `sub`.
 */
export async function statusListOption(
  source: string | undefined,
  recordsJwksPath: string | undefined,
  config: AccessConfig,
): Promise<{ statusList?: StatusListFetcher; statusListJwks?: unknown }> {
  if (source === undefined) {
    if (recordsJwksPath !== undefined)
      throw new OneRecordError("usage", "--records-jwks is used only with --status-list");
    return {};
  }
  const statusListJwks = await recordsJwks(recordsJwksPath, config);
  if (/^https?:\/\//i.test(source)) {
    return {
      statusList: () => fetchStatusListJwt(source, { timeoutMs: FETCH_TIMEOUT_MS }),
      statusListJwks,
    };
  }
  const text = readListFile(source);
  // A list too large is judged like one fetched too large: a verdict (status-list-malformed).
  const statusList: StatusListFetcher =
    text === null
      ? () => Promise.reject(new StatusListFetchError("status-list-malformed", TOO_LARGE))
      : () => Promise.resolve(text);
  return { statusList, statusListJwks };
}

async function recordsJwks(path: string | undefined, config: AccessConfig): Promise<unknown> {
  if (path === undefined) {
    if (config.records.jwks) return config.records.jwks;
    throw new OneRecordError("usage", "--status-list needs --records-jwks FILE (or records.jwks in --config)");
  }
  const bytes = await readOptionFile(path, "--records-jwks");
  refuseKeyMaterial(bytes, "--records-jwks", path, "public records.jwks");
  try {
    return parseRecordJwks(JSON.parse(bytes.toString("utf8")));
  } catch (error) {
    const message = error instanceof OneRecordError ? error.message : "not JSON";
    throw new OneRecordError("usage", `${optionSubject("--records-jwks", path)}: ${message}`);
  }
}

const TOO_LARGE = `the status list file is larger than ${MAX_STATUS_LIST_JWT_LENGTH} bytes`;

/** The file's text, or null when it is larger than any list; unreadable files stop the command. */
function readListFile(path: string): string | null {
  const subject = optionSubject("--status-list", path);
  const read = readBoundedFile(path, MAX_STATUS_LIST_JWT_LENGTH);
  if (read.ok) return read.bytes.toString("utf8").trim();
  if (read.reason === "too-large") return null;
  if (read.reason === "not-a-file") throw new OneRecordError("io-error", `${subject}: ${NOT_A_FILE}`);
  throw new OneRecordError("io-error", `${subject}: ${read.code === "ENOENT" ? "no such file" : "cannot be read"}`);
}
