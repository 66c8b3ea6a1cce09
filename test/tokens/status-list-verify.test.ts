import { generateKeyPairSync } from "node:crypto";
import { deflateSync } from "node:zlib";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRecordSigningKey, type RecordSigningKey } from "../../src/record/record-signing-key.js";
import { RECORD_JWS_TYPE } from "../../src/record/signature.js";
import {
  loadSigningKey,
  signStatusList,
  STATUS_INVALID,
  STATUS_SUSPENDED,
  STATUS_VALID,
  verifyStatusList,
} from "../../src/tokens/index.js";
import { signingSecret } from "../helpers/pki.js";

const URI = "https://ledger.onerecord.example/status/acme-health/42.jwt";
const NOW = new Date("2026-06-01T00:00:00Z");
const HOUR = 3600;

function pem(kind: "ec" | "ed25519"): string {
  const pair = kind === "ec" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("ed25519");
  return pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/** Signed with the record key (ES256 and EdDSA), verified against records.jwks. */
describe("status list token (draft-ietf-oauth-status-list §5.1, §8.3)", () => {
  let es: RecordSigningKey;
  let ed: RecordSigningKey;
  let list: string;
  const statuses = [STATUS_VALID, STATUS_INVALID, STATUS_SUSPENDED, STATUS_VALID];
  const sign = (over: Partial<Parameters<typeof signStatusList>[0]> = {}, key = es) =>
    signStatusList({ uri: URI, statuses, ttlSeconds: 300, lifetimeSeconds: 24 * HOUR, now: NOW, ...over }, key);
  const verify = (jwt: unknown, over: Partial<Parameters<typeof verifyStatusList>[1]> = {}) =>
    verifyStatusList(jwt, { jwks: es.jwks, uri: URI, now: NOW, ...over });

  beforeAll(async () => {
    es = await loadRecordSigningKey(pem("ec"));
    ed = await loadRecordSigningKey(pem("ed25519"));
    list = await sign();
  });

  it("signs the draft's claims under typ statuslist+jwt and reads them back", async () => {
    const [h, p] = list.split(".");
    expect(JSON.parse(Buffer.from(h!, "base64url").toString())).toEqual({
      alg: "ES256",
      kid: es.kid,
      typ: "statuslist+jwt",
    });
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>;
    const iat = NOW.getTime() / 1000;
    expect(claims).toMatchObject({ sub: URI, iat, exp: iat + 24 * HOUR, ttl: 300, status_list: { bits: 2 } });
    const result = await verify(list);
    if (!result.ok) throw new Error(result.reason);
    expect(result.list).toMatchObject({ uri: URI, iat, exp: iat + 24 * HOUR, ttl: 300, bits: 2, size: 4 });
    expect([0, 1, 2, 3, 4].map((i) => result.list.statusAt(i))).toEqual([0, 1, 2, 0, null]);
  });

  it("verifies an EdDSA list against a key set holding both record keys", async () => {
    const jwks = { keys: [...es.jwks.keys, ...ed.jwks.keys] };
    expect(await verify(await sign({}, ed), { jwks })).toMatchObject({ ok: true });
  });

  it("refuses a tampered list: one character of lst changed (status-list-signature)", async () => {
    const [h, p, s] = list.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString()) as { status_list: { lst: string } };
    const lst = claims.status_list.lst;
    claims.status_list.lst = lst.slice(0, 5) + (lst[5] === "A" ? "B" : "A") + lst.slice(6);
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
    expect(await verify(forged)).toMatchObject({ ok: false, code: "status-list-signature" });
  });

  it("refuses a list signed by a key not in records.jwks, and a token or record passed as a list", async () => {
    const stranger = await loadRecordSigningKey(pem("ec"));
    expect(await verify(await sign({}, stranger))).toMatchObject({ ok: false, code: "status-list-signature" });
    // Same key, another typ: a device-token-shaped JWT and a record version never pass for a list.
    const tokenShaped = await new SignJWT({
      sub: URI,
      iat: 1,
      exp: 2e9,
      ttl: 1,
      status_list: { bits: 2, lst: "eNo76fITAAPfAgc" },
    })
      .setProtectedHeader({ alg: es.alg, kid: es.kid, typ: "JWT" })
      .sign(es.privateKey);
    expect(await verify(tokenShaped)).toMatchObject({ ok: false, code: "status-list-signature" });
    const recordShaped = await new SignJWT({ sub: URI })
      .setProtectedHeader({ alg: es.alg, kid: es.kid, typ: RECORD_JWS_TYPE })
      .sign(es.privateKey);
    expect(await verify(recordShaped)).toMatchObject({ ok: false, code: "status-list-signature" });
    const withJwk = await new SignJWT({ sub: URI })
      .setProtectedHeader({ alg: es.alg, kid: es.kid, typ: "statuslist+jwt", jku: "https://evil.example/" })
      .sign(es.privateKey);
    expect(await verify(withJwk)).toMatchObject({ ok: false, code: "status-list-signature" });
    // An RS256 key of the token kind cannot sign a list.
    const rsa = await loadSigningKey(signingSecret("RS256").pem);
    await expect(signStatusList({ uri: URI, statuses, ttlSeconds: 1, lifetimeSeconds: 2 }, rsa)).rejects.toThrow(
      /record key/,
    );
  });

  it("refuses a truncated list and garbage", async () => {
    // Cut inside the signature: the bytes left do not verify; cut at a dot: not a JWS at all.
    expect(await verify(list.slice(0, list.length - 20))).toMatchObject({ ok: false, code: "status-list-signature" });
    expect(await verify(list.slice(0, list.lastIndexOf(".")))).toMatchObject({
      ok: false,
      code: "status-list-malformed",
    });
    expect(await verify(list.slice(0, 30))).toMatchObject({ ok: false, code: "status-list-malformed" });
    expect(await verify("")).toMatchObject({ ok: false, code: "status-list-malformed" });
    expect(await verify(42)).toMatchObject({ ok: false, code: "status-list-malformed" });
    expect(await verify("a".repeat(600 * 1024) + ".b.c")).toMatchObject({ ok: false, code: "status-list-malformed" });
  });

  it("refuses a signed list whose lst is not ZLIB, or inflates past the bound (status-list-malformed)", async () => {
    const iat = NOW.getTime() / 1000;
    const signed = (lst: string) =>
      new SignJWT({ sub: URI, iat, exp: iat + HOUR, ttl: 60, status_list: { bits: 2, lst } })
        .setProtectedHeader({ alg: es.alg, kid: es.kid, typ: "statuslist+jwt" })
        .sign(es.privateKey);
    expect(await verify(await signed("AAAA"))).toMatchObject({ ok: false, code: "status-list-malformed" });
    const bomb = deflateSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 }).toString("base64url");
    expect(await verify(await signed(bomb))).toMatchObject({
      ok: false,
      code: "status-list-malformed",
      reason: /inflates/,
    });
    const noTtl = await new SignJWT({
      sub: URI,
      iat,
      exp: iat + HOUR,
      status_list: { bits: 2, lst: "eNo76fITAAPfAgc" },
    })
      .setProtectedHeader({ alg: es.alg, kid: es.kid, typ: "statuslist+jwt" })
      .sign(es.privateKey);
    expect(await verify(noTtl)).toMatchObject({ ok: false, code: "status-list-malformed", reason: /ttl/ });
  });

  it("refuses a list for another sub (status-list-subject)", async () => {
    const other = await sign({ uri: "https://ledger.onerecord.example/status/acme-health/43.jwt" });
    expect(await verify(other)).toMatchObject({ ok: false, code: "status-list-subject" });
  });

  it("refuses an expired list, one from the future and one older than the verifier's max age", async () => {
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
    expect(await verify(list, { now: at(24 * HOUR - 1) })).toMatchObject({ ok: true });
    expect(await verify(list, { now: at(24 * HOUR) })).toMatchObject({ ok: false, code: "status-list-expired" });
    expect(await verify(list, { now: at(-60) })).toMatchObject({ ok: false, code: "status-list-expired" });
    expect(await verify(list, { now: at(-60), clockToleranceSeconds: 60 })).toMatchObject({ ok: true });
    expect(await verify(list, { now: at(2 * HOUR), maxAgeSeconds: HOUR })).toMatchObject({
      ok: false,
      code: "status-list-expired",
    });
    // Past iat + ttl but before exp: ttl governs caching, not validity.
    expect(await verify(list, { now: at(HOUR) })).toMatchObject({ ok: true });
  });

  it("refuses to sign a bad URI, ttl or lifetime", async () => {
    await expect(sign({ uri: "http://ledger.example/x" })).rejects.toThrow(/https/);
    await expect(sign({ uri: "https://u:p@ledger.example/x" })).rejects.toThrow(/credentials/);
    await expect(sign({ ttlSeconds: 0 })).rejects.toThrow(/ttl/);
    await expect(sign({ ttlSeconds: 25 * HOUR })).rejects.toThrow(/ttl/);
    await expect(sign({ lifetimeSeconds: 1.5 })).rejects.toThrow(/lifetime/);
    await expect(sign({ statuses: [5] })).rejects.toThrow(/index 0/);
    expect(await sign({ uri: "http://127.0.0.1:8080/list" })).toMatch(/^eyJ/);
  });

  it("throws for a broken records.jwks: the verifier's configuration, not the list", async () => {
    await expect(verify(list, { jwks: { keys: [] } })).rejects.toThrow(/records.jwks/);
  });
});
