import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevicePlan } from "../../action/issue-tokens/2-decide.js";
import { judgeRevalidation, requestFolder, revalidateFolder } from "../../action/issue-tokens/3-revalidate.js";
import { signAndEncryptTokens } from "../../action/issue-tokens/4-issue.js";
import { defaultConfig } from "../../src/config/parse.js";
import { OneRecordError } from "../../src/errors.js";
import { thumbprintFromFingerprint } from "../../src/record/index.js";
import { decryptDeviceToken, loadSigningKey, verifyDeviceToken, type SigningKey } from "../../src/tokens/index.js";
import {
  DAY,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  pemFile,
  privateKeyOf,
  signingSecret,
  trustFor,
  type Issued,
} from "../helpers/pki.js";
import { fingerprintOf, REQUEST } from "./issue-tokens/fixtures.js";

/** Steps 3 and 4 on real certificates: re-validation of the checkout now, and the issued tokens. */
const NOW = new Date();
let root: Issued;
let intermediate: Issued;
let ec: Issued;
let rsa: Issued;
let key: SigningKey;
const workspaces: string[] = [];

beforeAll(async () => {
  const window = { notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() + 3650 * DAY) };
  root = await makeRoot({ cn: "Token Test Root", ...window });
  intermediate = await makeIntermediate(root, { cn: "Token Test Intermediate", ...window });
  ec = await makeLeaf(intermediate, {
    cn: "pump-01",
    notBefore: window.notBefore,
    notAfter: new Date(NOW.getTime() + 200 * DAY),
  });
  rsa = await makeLeaf(intermediate, {
    cn: "pump-02",
    keyAlg: "rsa-2048",
    notBefore: window.notBefore,
    notAfter: new Date(NOW.getTime() + 900 * DAY),
  });
  key = await loadSigningKey(signingSecret("ES256").pem);
});

afterAll(() => {
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
});

function workspace(files: Record<string, Uint8Array | string>): string {
  const dir = mkdtempSync(join(tmpdir(), "issue-tokens-ws-"));
  workspaces.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function plan(device: string, leaf: Issued, path = `certificates/${REQUEST}/${device}.pem`): DevicePlan {
  const fingerprintSha256 = fingerprintOf(leaf.der);
  return { device, path, fingerprintSha256, x5tS256: thumbprintFromFingerprint(fingerprintSha256) };
}

async function judge(files: Record<string, Uint8Array | string>, plans: DevicePlan[]) {
  const reports = await revalidateFolder({
    root: workspace(files),
    trust: trustFor(root),
    pattern: defaultConfig().certificates.pathPattern,
    request: REQUEST,
    devices: plans.map((p) => p.device),
    now: NOW,
  });
  return judgeRevalidation(plans, reports, REQUEST);
}

describe("re-validation of the default branch's files, now", () => {
  it("passes when each device's file is there, alone, valid now, and the recorded certificate", async () => {
    const refusals = await judge(
      {
        "certificates/7/pump-01.pem": pemFile(ec, intermediate),
        "certificates/7/pump-02.pem": pemFile(rsa, intermediate),
        "certificates/8/other.pem": "not ours",
      },
      [plan("pump-01", ec), plan("pump-02", rsa)],
    );
    expect(refusals).toEqual([]);
  });

  it("refuses a certificate that has expired since it was merged", async () => {
    const expired = await makeLeaf(intermediate, {
      cn: "pump-01",
      notBefore: new Date(NOW.getTime() - 400 * DAY),
      notAfter: new Date(NOW.getTime() - DAY),
    });
    const refusals = await judge({ "certificates/7/pump-01.pem": pemFile(expired, intermediate) }, [
      plan("pump-01", expired),
    ]);
    expect(refusals.map((r) => r.code)).toEqual(["file-invalid"]);
    expect(refusals[0]!.message).toMatch(/does not validate now \(expired/);
  });

  it("refuses a file whose certificate differs from the one the app recorded at merge", async () => {
    const other = await makeLeaf(intermediate, {
      cn: "pump-01",
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 100 * DAY),
    });
    const refusals = await judge({ "certificates/7/pump-01.pem": pemFile(other, intermediate) }, [plan("pump-01", ec)]);
    expect(refusals.map((r) => r.code)).toEqual(["fingerprint-mismatch"]);
    expect(refusals[0]!.message).toContain(fingerprintOf(ec.der));
  });

  it("refuses a missing file, two files for one device, and a file at another path than recorded", async () => {
    expect(
      (await judge({ "certificates/7/pump-02.pem": pemFile(rsa, intermediate) }, [plan("pump-01", ec)])).map(
        (r) => r.code,
      ),
    ).toEqual(["file-missing"]);
    expect((await judge({}, [plan("pump-01", ec)])).map((r) => r.code)).toEqual(["file-missing"]);
    const two = await judge(
      {
        "certificates/7/pump-01.pem": pemFile(ec, intermediate),
        "certificates/7/PUMP-01.pem": pemFile(ec, intermediate),
      },
      [plan("pump-01", ec)],
    );
    expect(two.map((r) => r.code)).toEqual(["file-duplicate"]);
    const moved = await judge({ "certificates/7/Pump-01.pem": pemFile(ec, intermediate) }, [plan("pump-01", ec)]);
    expect(moved.map((r) => r.code)).toEqual(["path-mismatch"]);
  });

  it("refuses a certificate file that is a symbolic link out of the checkout", async () => {
    const outside = workspace({ "pump-01.pem": pemFile(ec, intermediate) });
    const dir = workspace({ "certificates/7/.keep": "" });
    symlinkSync(join(outside, "pump-01.pem"), join(dir, "certificates/7/pump-01.pem"));
    const reports = await revalidateFolder({
      root: dir,
      trust: trustFor(root),
      pattern: "certificates/{request}/{device}.pem",
      request: REQUEST,
      devices: ["pump-01"],
      now: NOW,
    });
    const refusals = judgeRevalidation([plan("pump-01", ec)], reports, REQUEST);
    expect(refusals.map((r) => r.code)).toEqual(["file-invalid"]);
    expect(refusals[0]!.message).toMatch(/outside the workspace/);
  });

  it("reads only the request's folder, and refuses a pattern without one", () => {
    expect(requestFolder("certificates/{request}/{device}.pem", 7)).toBe("certificates/7");
    expect(requestFolder("certs/{device}-{request}.pem", 7)).toBe("certs");
    expect(() => requestFolder("{device}-{request}.pem", 7)).toThrow(OneRecordError);
  });
});

describe("issued tokens", () => {
  const tokens = {
    ...defaultConfig().tokens,
    issuer: "https://access.onerecord.test",
    audience: "https://api.onerecord.test",
    lifetimeDays: 365,
  };
  const read = (map: Record<string, Issued>) => (path: string) => map[path]!.der;

  it("are JWEs each device key opens, holding a JWT with the claims, bound to the certificate DER", async () => {
    const plans = [plan("pump-01", ec), plan("pump-02", rsa)];
    const { issued, problems } = await signAndEncryptTokens(plans, {
      key,
      account: "acme-health",
      tokens,
      now: NOW,
      readCertificate: read({ [plans[0]!.path]: ec, [plans[1]!.path]: rsa }),
    });
    expect(problems).toEqual([]);
    expect(issued.map((e) => e.device)).toEqual(["pump-01", "pump-02"]);
    for (const [entry, leaf] of [
      [issued[0]!, ec],
      [issued[1]!, rsa],
    ] as const) {
      // Never the bare JWT: three base64url parts would be a JWS.
      expect(entry.jwe.split(".")).toHaveLength(5);
      expect(decodeProtectedHeader(entry.jwe)).toMatchObject({
        alg: leaf === ec ? "ECDH-ES+A256KW" : "RSA-OAEP-256",
        enc: "A256GCM",
        cty: "JWT",
      });
      const jwt = await decryptDeviceToken(entry.jwe, privateKeyOf(leaf));
      const claims = decodeJwt(jwt);
      const x5t = createHash("sha256").update(leaf.der).digest("base64url");
      expect(claims).toMatchObject({
        iss: tokens.issuer,
        aud: tokens.audience,
        sub: entry.device,
        account: "acme-health",
        jti: entry.jti,
        cnf: { "x5t#S256": x5t },
      });
      expect(entry.x5tS256).toBe(x5t);
      expect(claims.iat).toBe(Math.floor(NOW.getTime() / 1000));
      expect(claims.exp).toBe(entry.exp);
      expect(decodeProtectedHeader(jwt)).toEqual({ alg: "ES256", kid: key.kid, typ: "JWT" });
      // As the API checks it: the signature under the published JWKS and the presented certificate.
      const verified = await verifyDeviceToken(jwt, {
        jwks: key.jwks,
        issuer: tokens.issuer,
        audience: tokens.audience,
        peerCertificate: leaf.der,
        now: NOW,
      });
      expect(verified.ok).toBe(true);
      const wrong = await verifyDeviceToken(jwt, {
        jwks: key.jwks,
        issuer: tokens.issuer,
        audience: tokens.audience,
        peerCertificate: (leaf === ec ? rsa : ec).der,
        now: NOW,
      });
      expect(wrong).toMatchObject({ ok: false, code: "thumbprint-mismatch" });
    }
    // The lifetime is capped by the certificate: pump-01's certificate ends in 200 days.
    expect(issued[0]!.exp).toBe(Math.floor(ec.cert.notAfter.getTime() / 1000));
    expect(issued[1]!.exp).toBe(Math.floor(NOW.getTime() / 1000) + 365 * 86400);
  });

  it("issues nothing at all when one device cannot get a token", async () => {
    const ed = await makeLeaf(intermediate, {
      cn: "pump-03",
      keyAlg: "ed25519",
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 100 * DAY),
    });
    const plans = [plan("pump-01", ec), plan("pump-03", ed)];
    const { issued, problems } = await signAndEncryptTokens(plans, {
      key,
      account: "acme-health",
      tokens,
      now: NOW,
      readCertificate: read({ [plans[0]!.path]: ec, [plans[1]!.path]: ed }),
    });
    expect(issued).toEqual([]);
    expect(problems.map((p) => p.code)).toEqual(["cannot-issue"]);
    expect(problems[0]!.message).toMatch(/pump-03: the device certificate has a key of type ed25519/);
  });

  it("refuses to bind a token to a certificate other than the recorded one", async () => {
    const p = plan("pump-01", ec);
    const { issued, problems } = await signAndEncryptTokens([p], {
      key,
      account: "acme-health",
      tokens,
      now: NOW,
      readCertificate: () => rsa.der,
    });
    expect(issued).toEqual([]);
    expect(problems.map((r) => r.code)).toEqual(["fingerprint-mismatch"]);
  });
});
