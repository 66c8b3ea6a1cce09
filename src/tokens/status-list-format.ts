/** node:zlib when first needed, not at every start of the CLI (it loads node:stream with it). */
const zlib = (): typeof import("node:zlib") => process.getBuiltinModule("node:zlib");
import { OneRecordError } from "../errors.js";

/**
 * The Status List data structure of draft-ietf-oauth-status-list §4: a byte array holding one
 * `bits`-wide status per token, index 0 in the least significant bits of byte 0 (§4.1 step 3),
 * compressed with DEFLATE (RFC 1951) in the ZLIB format (RFC 1950) at the highest level (§4.1
 * step 4), base64url-encoded without padding as `lst` (§4.2).
 *
 * Written on node:zlib rather than `@sd-jwt/jwt-status-list` (docs/tokens.md "Revocation: the
 * token status list" says why): its decoder inflates without a size bound and expands the list
 * into a number[]; this one bounds the inflated size and reads a status from the bytes directly.
 */

/** Status Types (draft §7.1); 3 is application-specific and OneRecord never writes it. */
export const STATUS_VALID = 0;
export const STATUS_INVALID = 1;
export const STATUS_SUSPENDED = 2;

/** The `bits` values the draft allows (§4.1 step 1); OneRecord writes 2. */
export const STATUS_LIST_BITS = [1, 2, 4, 8] as const;
export type StatusListBits = (typeof STATUS_LIST_BITS)[number];

/**
 * The most bytes a list may inflate to: 256 KiB, 1,048,576 statuses at 2 bits, far beyond one
 * request's tokens. A compressed `lst` that would inflate further is refused unread (a
 * decompression bomb: a few hundred bytes of DEFLATE can claim gigabytes; draft §11.1).
 */
export const MAX_STATUS_LIST_BYTES = 256 * 1024;

/** The JSON `status_list` claim (draft §4.2). */
export interface StatusListClaim {
  bits: StatusListBits;
  lst: string;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function isStatusListBits(value: unknown): value is StatusListBits {
  return typeof value === "number" && (STATUS_LIST_BITS as readonly number[]).includes(value);
}

/**
 * Packs and compresses statuses (draft §4.1). Throws `input-invalid` for a `bits` the draft does
 * not allow, a status that is not an integer of `bits` bits, or a list beyond MAX_STATUS_LIST_BYTES.
 */
export function buildStatusList(
  statuses: ReadonlyArray<number> | Uint8Array,
  bits: StatusListBits = 2,
): StatusListClaim {
  if (!isStatusListBits(bits)) throw invalid(`bits must be one of ${STATUS_LIST_BITS.join(", ")}`);
  const max = 2 ** bits - 1;
  const bytes = new Uint8Array(Math.ceil((statuses.length * bits) / 8));
  if (bytes.length > MAX_STATUS_LIST_BYTES)
    throw invalid(`${statuses.length} statuses of ${bits} bits exceed ${MAX_STATUS_LIST_BYTES} bytes`);
  for (let idx = 0; idx < statuses.length; idx++) {
    const status = statuses[idx]!;
    if (!Number.isInteger(status) || status < 0 || status > max)
      throw invalid(`the status at index ${idx} is not an integer from 0 to ${max}`);
    const bit = idx * bits;
    bytes[bit >> 3]! |= status << (bit & 7);
  }
  return { bits, lst: zlib().deflateSync(bytes, { level: 9 }).toString("base64url") };
}

/** A decoded list: the status at an index, or null past its end (draft §8.3 step 6). */
export interface DecodedStatusList {
  bits: StatusListBits;
  /** How many statuses the byte array holds (its length × 8 / bits; padding included). */
  size: number;
  statusAt: (idx: number) => number | null;
}

export type DecodeResult = { ok: true; list: DecodedStatusList } | { ok: false; reason: string };

/** Reads a `status_list` claim; never throws. Inflation stops at MAX_STATUS_LIST_BYTES. */
export function decodeStatusList(claim: unknown, maxBytes = MAX_STATUS_LIST_BYTES): DecodeResult {
  if (typeof claim !== "object" || claim === null) return no("status_list is not an object");
  const { bits, lst } = claim as Record<string, unknown>;
  if (!isStatusListBits(bits)) return no(`status_list.bits is not one of ${STATUS_LIST_BITS.join(", ")}`);
  if (typeof lst !== "string" || lst.length === 0 || !BASE64URL.test(lst))
    return no("status_list.lst is not base64url text");
  let bytes: Buffer;
  try {
    bytes = zlib().inflateSync(Buffer.from(lst, "base64url"), { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ERR_BUFFER_TOO_LARGE"
      ? no(`status_list.lst inflates to more than ${maxBytes} bytes`)
      : no("status_list.lst is not a ZLIB/DEFLATE stream");
  }
  if (bytes.length === 0) return no("status_list.lst holds no statuses");
  const size = (bytes.length * 8) / bits;
  const mask = 2 ** bits - 1;
  return {
    ok: true,
    list: {
      bits,
      size,
      statusAt: (idx) => {
        if (!Number.isSafeInteger(idx) || idx < 0 || idx >= size) return null;
        const bit = idx * bits;
        return (bytes[bit >> 3]! >> (bit & 7)) & mask;
      },
    },
  };
}

function no(reason: string): DecodeResult {
  return { ok: false, reason };
}

function invalid(message: string): OneRecordError {
  return new OneRecordError("input-invalid", `status list: ${message}`, { field: "statuses" });
}
