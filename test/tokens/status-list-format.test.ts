import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildStatusList, decodeStatusList, MAX_STATUS_LIST_BYTES } from "../../src/tokens/index.js";

/**
 * The compressed byte array of draft-ietf-oauth-status-list §4.1, against the draft's own
 * examples (§4.1, §4.2) and test vectors (appendix "Test vectors for Status List encoding").
 */
describe("status list format (draft-ietf-oauth-status-list §4)", () => {
  const statuses1 = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
  const statuses2 = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];

  it("encodes the draft's 1-bit and 2-bit examples byte for byte", () => {
    // §4.1: bytes 0xB9 0xA3, compressed 78dadbb918000217015d; §4.2: lst "eNrbuRgAAhcBXQ".
    expect(buildStatusList(statuses1, 1)).toEqual({ bits: 1, lst: "eNrbuRgAAhcBXQ" });
    expect(Buffer.from(buildStatusList(statuses1, 1).lst, "base64url").toString("hex")).toBe("78dadbb918000217015d");
    // §4.1: bytes 0xC9 0x44 0xF9, compressed 78da3be9f2130003df0207; §4.2: lst "eNo76fITAAPfAgc".
    expect(buildStatusList(statuses2, 2)).toEqual({ bits: 2, lst: "eNo76fITAAPfAgc" });
  });

  it("decodes the draft's examples back to their statuses", () => {
    const one = decodeStatusList({ bits: 1, lst: "eNrbuRgAAhcBXQ" });
    const two = decodeStatusList({ bits: 2, lst: "eNo76fITAAPfAgc" });
    if (!one.ok || !two.ok) throw new Error("the draft's examples must decode");
    expect(statuses1.map((_, i) => one.list.statusAt(i))).toEqual(statuses1);
    expect(statuses2.map((_, i) => two.list.statusAt(i))).toEqual(statuses2);
    expect(two.list.size).toBe(12);
    expect(two.list.statusAt(12)).toBeNull();
    expect(two.list.statusAt(-1)).toBeNull();
    expect(two.list.statusAt(1.5)).toBeNull();
  });

  it("decodes the draft's long 2-bit test vector (indexes up to 1,000,345)", () => {
    const lst =
      "eNrt2zENACEQAEEuoaBABP5VIO01fCjIHTMStt9ovGVIAAAAAABAbiEBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEB5WwIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAID0ugQAAAAAAAAAAAAAAAAAQG12SgAAAAAAAAAAAAAAAAAAAAAAAAAAAOCSIQEAAAAAAAAAAAAAAAAAAAAAAAD8ExIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAwJEuAQAAAAAAAAAAAAAAAAAAAAAAAMB9SwIAAAAAAAAAAAAAAAAAAACoYUoAAAAAAAAAAAAAAEBqH81gAQw";
    const decoded = decodeStatusList({ bits: 2, lst });
    if (!decoded.ok) throw new Error(decoded.reason);
    const set: Record<number, number> = {
      0: 1,
      1993: 2,
      25460: 1,
      159495: 3,
      495669: 1,
      554353: 1,
      645645: 2,
      723232: 1,
      854545: 1,
      934534: 2,
      1000345: 3,
    };
    for (const [idx, value] of Object.entries(set)) expect(decoded.list.statusAt(Number(idx))).toBe(value);
    expect(decoded.list.statusAt(1)).toBe(0);
    expect(decoded.list.statusAt(1000344)).toBe(0);
    // 262,144 bytes: exactly MAX_STATUS_LIST_BYTES, so the draft's largest vector is accepted.
    expect(decoded.list.size).toBe(MAX_STATUS_LIST_BYTES * 4);
  });

  it("round-trips random statuses at every allowed width", () => {
    for (const bits of [1, 2, 4, 8] as const) {
      const statuses = Array.from({ length: 1001 }, (_, i) => (i * 7919 + bits) % 2 ** bits);
      const decoded = decodeStatusList(buildStatusList(statuses, bits));
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(statuses.map((_, i) => decoded.list.statusAt(i))).toEqual(statuses);
    }
    expect(decodeStatusList(buildStatusList(new Uint8Array([0, 2, 1]))).ok).toBe(true);
  });

  it("refuses statuses that do not fit and widths the draft does not allow", () => {
    expect(() => buildStatusList([4], 2)).toThrow(/index 0/);
    expect(() => buildStatusList([0, -1])).toThrow(/index 1/);
    expect(() => buildStatusList([0.5])).toThrow(/index 0/);
    expect(() => buildStatusList([0], 3 as never)).toThrow(/bits must be/);
    expect(() => buildStatusList(new Uint8Array(MAX_STATUS_LIST_BYTES * 4 + 4))).toThrow(/exceed/);
  });

  it("refuses a bad lst, a truncated stream and a decompression bomb without inflating it", () => {
    expect(decodeStatusList({ bits: 2, lst: "not base64url!" })).toMatchObject({ ok: false });
    expect(decodeStatusList({ bits: 3, lst: "eNo76fITAAPfAgc" })).toMatchObject({ ok: false, reason: /bits/ });
    expect(decodeStatusList({ bits: 2, lst: "eNo76fIT" })).toMatchObject({ ok: false, reason: /ZLIB/ });
    expect(decodeStatusList({ bits: 2, lst: "AAAA" })).toMatchObject({ ok: false, reason: /ZLIB/ });
    expect(decodeStatusList(null)).toMatchObject({ ok: false });
    // 64 MiB of zeros compress to about 64 KiB; inflation stops at the bound.
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }).toString("base64url");
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(decodeStatusList({ bits: 2, lst: bomb })).toMatchObject({ ok: false, reason: /inflates to more than/ });
  });
});
