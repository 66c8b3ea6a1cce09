import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadRecordSigningKey } from "../../src/record/record-signing-key.js";
import {
  buildDeviceClaims,
  loadSigningKey,
  readDeviceCertificate,
  signDeviceToken,
  signStatusList,
  verifyDeviceToken,
  verifyStatusList,
  type StatusListReference,
  type VerifiedStatusList,
  type VerifyOptions,
} from "../../src/tokens/index.js";
import { makeLeaf, makeRoot, signingSecret, validFor } from "../helpers/pki.js";

const ISSUER = "https://onerecord.example/access";
const AUDIENCE = "https://api.onerecord.example";
const URI = "https://ledger.onerecord.example/status/acme-health/42.jwt";

/** verifyDeviceToken with `statusList` (draft-ietf-oauth-status-list §8.3). */
describe("verifyDeviceToken: the token's status", async () => {
  const root = await makeRoot({ name: "CN=Status Test Root", ...validFor(3650) });
  const device = await makeLeaf(root, { cn: "gw-1", ...validFor(730) });
  const key = await loadSigningKey(signingSecret("ES256").pem);
  const recordKey = await loadRecordSigningKey(
    generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  );
  const now = new Date();
  const iat = Math.floor(now.getTime() / 1000);
  // index 0 valid, 1 revoked, 2 suspended, 3 application-specific (never written by OneRecord)
  const listJwt = await signStatusList(
    { uri: URI, statuses: [0, 1, 2, 3], ttlSeconds: 300, lifetimeSeconds: 86400, now },
    recordKey,
  );
  const verified = await verifyStatusList(listJwt, { jwks: recordKey.jwks, uri: URI, now });
  if (!verified.ok) throw new Error(verified.reason);
  const list: VerifiedStatusList = verified.list;

  async function token(status?: StatusListReference, issuedAt = now): Promise<string> {
    const claims = buildDeviceClaims({
      issuer: ISSUER,
      audience: AUDIENCE,
      device: "gw-1",
      account: "acme-health",
      certificate: readDeviceCertificate(device.der),
      lifetimeDays: 30,
      now: issuedAt,
      jti: "jti-1",
      ...(status ? { status } : {}),
    });
    return signDeviceToken(claims, key);
  }
  const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({
    jwks: key.jwks,
    issuer: ISSUER,
    audience: AUDIENCE,
    peerCertificate: device.der,
    statusList: list,
    ...over,
  });
  const codeOf = async (jwt: string, over: Partial<VerifyOptions> = {}) => {
    const result = await verifyDeviceToken(jwt, options(over));
    return result.ok ? "ok" : result.code;
  };

  it("carries status.status_list {idx, uri} when issued with one (draft §6.2)", async () => {
    const jwt = await token({ idx: 0, uri: URI });
    const payload = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(payload.status).toEqual({ status_list: { idx: 0, uri: URI } });
    const without = JSON.parse(Buffer.from((await token()).split(".")[1]!, "base64url").toString()) as object;
    expect(without).not.toHaveProperty("status");
  });

  it("refuses to build a token with a bad index or URI", async () => {
    await expect(token({ idx: -1, uri: URI })).rejects.toThrow(/index/);
    await expect(token({ idx: 2 ** 53, uri: URI })).rejects.toThrow(/index/);
    await expect(token({ idx: 0, uri: "http://ledger.example/x" })).rejects.toThrow(/https/);
    await expect(token({ idx: 0, uri: "not a url" })).rejects.toThrow(/URL/);
    expect(await token({ idx: 3, uri: "http://127.0.0.1:9/l" })).toMatch(/^eyJ/);
  });

  it("answers by the status at the token's index: valid, revoked, suspended, unknown, out of range", async () => {
    expect(await codeOf(await token({ idx: 0, uri: URI }))).toBe("ok");
    expect(await codeOf(await token({ idx: 1, uri: URI }))).toBe("token-revoked");
    expect(await codeOf(await token({ idx: 2, uri: URI }))).toBe("token-suspended");
    expect(await codeOf(await token({ idx: 3, uri: URI }))).toBe("token-status-unknown");
    // 4 statuses at 2 bits fill exactly one byte: index 4 is past the list's end.
    expect(await codeOf(await token({ idx: 4, uri: URI }))).toBe("status-index-out-of-range");
    expect(await codeOf(await token({ idx: 1e9, uri: URI }))).toBe("status-index-out-of-range");
  });

  it("keeps the behaviour of old: no statusList option, no status check", async () => {
    expect(await codeOf(await token({ idx: 1, uri: URI }), { statusList: undefined })).toBe("ok");
  });

  it("refuses a verified list that is not the token's, or has since expired", async () => {
    const other = await token({ idx: 0, uri: "https://ledger.onerecord.example/status/other.jwt" });
    expect(await codeOf(other)).toBe("status-list-subject");
    const later = new Date(now.getTime() + 86400 * 1000);
    expect(await codeOf(await token({ idx: 0, uri: URI }), { now: later })).toBe("status-list-expired");
  });

  it("fetches the list by the token's URI and verifies it with statusListJwks", async () => {
    const asked: string[] = [];
    const fetch = async (uri: string) => (asked.push(uri), listJwt);
    const jwt = await token({ idx: 1, uri: URI });
    expect(await codeOf(jwt, { statusList: fetch, statusListJwks: recordKey.jwks })).toBe("token-revoked");
    expect(asked).toEqual([URI]);
    const tampered = listJwt.slice(0, -4) + (listJwt.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect(await codeOf(jwt, { statusList: async () => tampered, statusListJwks: recordKey.jwks })).toBe(
      "status-list-signature",
    );
    const offline = async () => Promise.reject(new Error("ECONNREFUSED"));
    expect(await codeOf(jwt, { statusList: offline, statusListJwks: recordKey.jwks })).toBe("status-list-unavailable");
    await expect(verifyDeviceToken(jwt, options({ statusList: fetch }))).rejects.toThrow(/statusListJwks/);
  });

  it("checks the token first: an expired or foreign token is refused before its list is fetched", async () => {
    let fetched = 0;
    const fetch = async () => (fetched++, listJwt);
    const jwt = await token({ idx: 1, uri: URI });
    const expired = new Date(now.getTime() + 40 * 86400 * 1000);
    expect(await codeOf(jwt, { now: expired, statusList: fetch, statusListJwks: recordKey.jwks })).toBe("bad-claims");
    expect(
      await codeOf(await token({ idx: 1, uri: URI }), { audience: "https://other.example", statusList: fetch }),
    ).toBe("bad-claims");
    expect(fetched).toBe(0);
  });

  it("refuses a token without status issued after statusRequiredAfter, accepts one issued before", async () => {
    const jwt = await token();
    const before = new Date((iat - 60) * 1000);
    const after = new Date((iat + 60) * 1000);
    expect(await codeOf(jwt, { statusRequiredAfter: before })).toBe("status-missing");
    expect(await codeOf(jwt, { statusRequiredAfter: new Date(iat * 1000) })).toBe("status-missing");
    expect(await codeOf(jwt, { statusRequiredAfter: after })).toBe("ok");
    expect(await codeOf(jwt)).toBe("ok");
  });
});
