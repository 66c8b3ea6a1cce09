import {
  MAX_STATUS_LIST_JWT_LENGTH,
  verifyStatusList,
  type StatusListVerification,
  type VerifyStatusListOptions,
} from "./status-list-verify.js";

/** How a fetch of a status list failed: the code the verifier answers with. */
export class StatusListFetchError extends Error {
  readonly code: "status-list-unavailable" | "status-list-malformed";
  constructor(code: StatusListFetchError["code"], message: string) {
    super(message);
    this.name = "StatusListFetchError";
    this.code = code;
  }
}

export interface FetchStatusListOptions {
  /** Largest body read, in bytes (default MAX_STATUS_LIST_JWT_LENGTH); more is refused. */
  maxBytes?: number;
  /** Whole request, in milliseconds (default 5,000). */
  timeoutMs?: number;
}

/** What the verifier calls to get a list's JWT: the default is `fetchStatusListJwt`. */
export type StatusListFetcher = (uri: string) => Promise<string>;

/**
 * GET a Status List Token (draft-ietf-oauth-status-list §8.1–8.2) with the global fetch:
 * `Accept: application/statuslist+jwt`, redirects followed (fetch stops at 20; the list is
 * signed, so where it came from does not matter to its verification, draft §11.4), a 2xx answer
 * required, the body read up to `maxBytes` and no further, all within `timeoutMs`. The content
 * type is not required: a ledger branch served as raw files says text/plain. Throws
 * StatusListFetchError: `status-list-unavailable` (network, timeout, not 2xx) or
 * `status-list-malformed` (too large, not UTF-8).
 */
export async function fetchStatusListJwt(uri: string, options: FetchStatusListOptions = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? MAX_STATUS_LIST_JWT_LENGTH;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 5000);
  let response: Response;
  try {
    response = await fetch(uri, { headers: { accept: "application/statuslist+jwt" }, redirect: "follow", signal });
  } catch {
    throw new StatusListFetchError("status-list-unavailable", "the status list could not be fetched");
  }
  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel().catch(() => undefined);
    throw new StatusListFetchError("status-list-unavailable", `the status list URI answered HTTP ${response.status}`);
  }
  const bytes = await readBounded(response, maxBytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).trim();
  } catch {
    throw new StatusListFetchError("status-list-malformed", "the status list response is not UTF-8 text");
  }
}

async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  if (!response.body) return new Uint8Array();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof StatusListFetchError) throw error;
    throw new StatusListFetchError("status-list-unavailable", "the status list response broke off");
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(maxBytes: number): StatusListFetchError {
  return new StatusListFetchError("status-list-malformed", `the status list response is larger than ${maxBytes} bytes`);
}

/**
 * A status list fetched with `fetcher` and verified (src/tokens/status-list-verify.ts): what the
 * cache and a one-off check both do. A fetch that fails is `status-list-unavailable` (or the
 * fetch error's own code); text longer than `maxBytes` is `status-list-malformed`. Never throws
 * for what the server answers.
 */
export async function fetchVerifiedStatusList(
  fetcher: StatusListFetcher,
  options: VerifyStatusListOptions,
  maxBytes = MAX_STATUS_LIST_JWT_LENGTH,
): Promise<StatusListVerification | { ok: false; code: "status-list-unavailable"; reason: string }> {
  let jwt: string;
  try {
    jwt = await fetcher(options.uri);
  } catch (error) {
    return error instanceof StatusListFetchError
      ? { ok: false, code: error.code, reason: error.message }
      : { ok: false, code: "status-list-unavailable", reason: "the status list could not be fetched" };
  }
  if (typeof jwt !== "string" || jwt.length > maxBytes)
    return { ok: false, code: "status-list-malformed", reason: `the status list is not text of at most ${maxBytes}` };
  return verifyStatusList(jwt.trim(), options);
}
