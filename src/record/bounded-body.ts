import { OneRecordError } from "../errors.js";

/**
 * At most `limit + 1` bytes of an HTTP response body — a stream (octokit with
 * `parseSuccessResponseBody: false`), or text or bytes if a plugin parsed it — and whether there
 * were more. A stream is cancelled as soon as it passes the limit, so what someone with push
 * access put in a ledger file costs bounded memory to whoever reads it (the app and the token
 * workflow both read ledger files through this).
 */
export async function readBoundedBody(
  body: unknown,
  limit: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (typeof body === "string" || body instanceof ArrayBuffer || body instanceof Uint8Array) {
    const all = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body as ArrayBuffer);
    return { bytes: all.subarray(0, limit + 1), truncated: all.length > limit };
  }
  if (!(body instanceof ReadableStream)) throw new OneRecordError("io-error", "the contents API sent no file body");
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return { bytes: Buffer.concat(chunks).subarray(0, limit + 1), truncated: true };
    }
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
