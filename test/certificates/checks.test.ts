import { beforeAll, describe, expect, it } from "vitest";
import { validateCertificateBytes, type FileReport, type TrustStore } from "../../src/certificates/index.js";
import {
  AT,
  DAY,
  KeyUsageFlags,
  cachedKeys,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  pemFile,
  trustFor,
  type Issued,
} from "../helpers/pki.js";

/** The checks on a built path: validity, leaf profile, key and signature strength, constraints. */

const codes = (report: FileReport) => [...new Set(report.errors.map((e) => e.code))].sort();
const days = (n: number) => new Date(AT.getTime() + n * DAY);

let root: Issued;
let intermediate: Issued;
let trust: TrustStore;
let rsaRoot: Issued;
let rsaTrust: TrustStore;

beforeAll(async () => {
  root = await makeRoot({ cn: "Checks Root" });
  intermediate = await makeIntermediate(root, { cn: "Checks Issuing CA" });
  trust = trustFor(root);
  rsaRoot = await makeRoot({ keyAlg: "rsa-2048", keys: await cachedKeys("rsa-2048", "root"), cn: "Checks RSA Root" });
  rsaTrust = trustFor(rsaRoot);
});

function validate(bytes: Uint8Array, store = trust, options: { at?: Date; warnDays?: number } = {}): FileReport {
  return validateCertificateBytes(bytes, {
    path: "device.pem",
    trust: store,
    at: options.at ?? AT,
    warnDays: options.warnDays,
  });
}

describe("validity at the validation time", () => {
  it("refuses an expired leaf", async () => {
    const leaf = await makeLeaf(intermediate, { notBefore: days(-400), notAfter: days(-1) });
    const report = validate(pemFile(leaf, intermediate));
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["expired"]);
  });

  it("refuses a leaf that is not yet valid", async () => {
    const leaf = await makeLeaf(intermediate, { notBefore: days(1), notAfter: days(365) });
    expect(codes(validate(pemFile(leaf, intermediate)))).toEqual(["not-yet-valid"]);
  });

  it("refuses an expired intermediate in the path", async () => {
    const oldInt = await makeIntermediate(root, { cn: "Old Issuing CA", notBefore: days(-800), notAfter: days(-10) });
    const leaf = await makeLeaf(oldInt, { notBefore: days(-30), notAfter: days(300) });
    expect(codes(validate(pemFile(leaf, oldInt)))).toEqual(["expired"]);
  });

  it("refuses a not-yet-valid intermediate in the path", async () => {
    const futureInt = await makeIntermediate(root, {
      cn: "Future Issuing CA",
      notBefore: days(10),
      notAfter: days(900),
    });
    const leaf = await makeLeaf(futureInt);
    expect(codes(validate(pemFile(leaf, futureInt)))).toEqual(["not-yet-valid"]);
  });

  it("refuses a path whose trusted root has expired", async () => {
    const oldRoot = await makeRoot({ cn: "Expired Root", notBefore: days(-900), notAfter: days(-1) });
    const leaf = await makeLeaf(oldRoot, { notBefore: days(-30), notAfter: days(30) });
    expect(codes(validate(pemFile(leaf), trustFor(oldRoot)))).toEqual(["expired"]);
  });

  it("judges at the given time, not now", async () => {
    const leaf = await makeLeaf(intermediate, { notBefore: days(-10), notAfter: days(100) });
    const file = pemFile(leaf, intermediate);
    expect(validate(file, trust, { at: days(0) }).verdict).toBe("valid");
    expect(codes(validate(file, trust, { at: days(101) }))).toEqual(["expired"]);
    expect(codes(validate(file, trust, { at: days(-11) }))).toEqual(["not-yet-valid"]);
  });

  it("treats notBefore and notAfter as inclusive bounds", async () => {
    const leaf = await makeLeaf(intermediate, { notBefore: days(-10), notAfter: days(100) });
    const file = pemFile(leaf, intermediate);
    expect(validate(file, trust, { at: days(-10), warnDays: 0 }).verdict).toBe("valid");
    expect(validate(file, trust, { at: days(100), warnDays: 0 }).verdict).toBe("valid");
  });
});

describe("expires-soon warning", () => {
  it("warns (but stays valid) when the leaf expires within the default 30 days", async () => {
    const leaf = await makeLeaf(intermediate, { notBefore: days(-300), notAfter: days(10) });
    const report = validate(pemFile(leaf, intermediate));
    expect(report.verdict).toBe("valid");
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((w) => w.code)).toEqual(["expires-soon"]);
  });

  it("honours warnDays", async () => {
    const leaf = await makeLeaf(intermediate, { notBefore: days(-300), notAfter: days(10) });
    const file = pemFile(leaf, intermediate);
    expect(validate(file, trust, { warnDays: 5 }).warnings).toEqual([]);
    expect(validate(file, trust, { warnDays: 60 }).warnings.map((w) => w.code)).toEqual(["expires-soon"]);
  });

  it("warns when an intermediate expires soon", async () => {
    const shortInt = await makeIntermediate(root, {
      cn: "Short Issuing CA",
      notBefore: days(-300),
      notAfter: days(20),
    });
    const leaf = await makeLeaf(shortInt, { notBefore: days(-10), notAfter: days(15) });
    const report = validate(pemFile(leaf, shortInt), trust, { warnDays: 30 });
    expect(report.verdict).toBe("valid");
    expect(report.warnings.map((w) => w.code)).toEqual(["expires-soon", "expires-soon"]);
  });

  it("does not warn for a certificate that is far from expiry", async () => {
    const leaf = await makeLeaf(intermediate);
    expect(validate(pemFile(leaf, intermediate)).warnings).toEqual([]);
  });
});

describe("leaf profile", () => {
  it("refuses a CA:TRUE leaf (ca-leaf)", async () => {
    const leaf = await makeLeaf(intermediate, { basicConstraints: { ca: true } });
    const report = validate(pemFile(leaf, intermediate));
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["ca-leaf"]);
  });

  it("accepts a leaf without basicConstraints", async () => {
    const leaf = await makeLeaf(intermediate, { basicConstraints: null });
    expect(validate(pemFile(leaf, intermediate)).errors).toEqual([]);
  });

  it("refuses a serverAuth-only leaf (missing-client-auth)", async () => {
    const leaf = await makeLeaf(intermediate, { eku: ["serverAuth"] });
    const report = validate(pemFile(leaf, intermediate));
    expect(codes(report)).toEqual(["missing-client-auth"]);
    expect(report.errors[0]!.message).toContain("serverAuth");
  });

  it("refuses a leaf without extended key usage (missing-client-auth)", async () => {
    const leaf = await makeLeaf(intermediate, { eku: null });
    expect(codes(validate(pemFile(leaf, intermediate)))).toEqual(["missing-client-auth"]);
  });

  it("accepts a leaf with both serverAuth and clientAuth", async () => {
    const leaf = await makeLeaf(intermediate, { eku: ["serverAuth", "clientAuth"] });
    expect(validate(pemFile(leaf, intermediate)).verdict).toBe("valid");
  });

  it("refuses an intermediate whose EKU excludes clientAuth", async () => {
    const serverInt = await makeIntermediate(root, { cn: "Server-only CA", eku: ["serverAuth"] });
    const leaf = await makeLeaf(serverInt);
    expect(codes(validate(pemFile(leaf, serverInt)))).toEqual(["missing-client-auth"]);
  });

  it("accepts an intermediate whose EKU includes clientAuth", async () => {
    const clientInt = await makeIntermediate(root, { cn: "Client CA", eku: ["serverAuth", "clientAuth"] });
    const leaf = await makeLeaf(clientInt);
    expect(validate(pemFile(leaf, clientInt)).verdict).toBe("valid");
  });

  it("reports every problem of a leaf at once", async () => {
    const leaf = await makeLeaf(intermediate, {
      basicConstraints: { ca: true },
      eku: ["serverAuth"],
      notAfter: days(-1),
      notBefore: days(-100),
    });
    expect(codes(validate(pemFile(leaf, intermediate)))).toEqual(["ca-leaf", "expired", "missing-client-auth"]);
  });
});

describe("weak-key", () => {
  it("refuses an RSA 1024 leaf", async () => {
    const leaf = await makeLeaf(intermediate, { keyAlg: "rsa-1024" });
    const report = validate(pemFile(leaf, intermediate));
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["weak-key"]);
    expect(report.errors[0]!.message).toContain("1024");
  });

  it("refuses an RSA 1024 intermediate", async () => {
    const weakInt = await makeIntermediate(root, { keyAlg: "rsa-1024", cn: "Weak CA" });
    const leaf = await makeLeaf(weakInt);
    expect(codes(validate(pemFile(leaf, weakInt)))).toEqual(["weak-key"]);
  });

  it("accepts RSA 2048", async () => {
    const leaf = await makeLeaf(intermediate, { keyAlg: "rsa-2048", keys: await cachedKeys("rsa-2048", "leaf") });
    expect(validate(pemFile(leaf, intermediate)).verdict).toBe("valid");
  });
});

describe("weak-signature", () => {
  it("refuses a leaf signed with SHA-1 (RSA)", async () => {
    const leaf = await makeLeaf(rsaRoot, { hash: "SHA-1" });
    const report = validate(pemFile(leaf), rsaTrust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["weak-signature"]);
  });

  it("refuses a leaf signed with ecdsa-with-SHA1", async () => {
    const leaf = await makeLeaf(intermediate, { hash: "SHA-1" });
    expect(codes(validate(pemFile(leaf, intermediate)))).toEqual(["weak-signature"]);
  });

  it("refuses a leaf signed with MD5", async () => {
    const leaf = await makeLeaf(rsaRoot, { hash: "MD5" });
    const report = validate(pemFile(leaf), rsaTrust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["weak-signature"]);
    expect(report.errors[0]!.message.toLowerCase()).toContain("md5");
  });

  it("refuses an intermediate signed with SHA-1", async () => {
    const sha1Int = await makeIntermediate(rsaRoot, { hash: "SHA-1", cn: "SHA-1 CA" });
    const leaf = await makeLeaf(sha1Int);
    expect(codes(validate(pemFile(leaf, sha1Int), rsaTrust))).toEqual(["weak-signature"]);
  });

  it("does not hold the pinned root's own self-signature against the path", async () => {
    const sha1Root = await makeRoot({
      keyAlg: "rsa-2048",
      keys: await cachedKeys("rsa-2048", "root"),
      cn: "Legacy SHA-1 Root",
      hash: "SHA-1",
    });
    const leaf = await makeLeaf(sha1Root);
    expect(validate(pemFile(leaf), trustFor(sha1Root)).verdict).toBe("valid");
  });

  it("accepts SHA-384", async () => {
    const leaf = await makeLeaf(intermediate, { hash: "SHA-384" });
    expect(validate(pemFile(leaf, intermediate)).verdict).toBe("valid");
  });
});

describe("path-length", () => {
  it("refuses two intermediates under a root with pathLen 1", async () => {
    const limited = await makeRoot({ cn: "PathLen 1 Root", basicConstraints: { ca: true, pathLength: 1 } });
    const int1 = await makeIntermediate(limited, { cn: "Level 1 CA" });
    const int2 = await makeIntermediate(int1, { cn: "Level 2 CA" });
    const leaf = await makeLeaf(int2);
    const store = trustFor(limited);
    const report = validate(pemFile(leaf, int2, int1), store);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["path-length"]);
    // One intermediate is within the limit.
    expect(validate(pemFile(await makeLeaf(int1), int1), store).verdict).toBe("valid");
  });

  it("refuses an intermediate below an intermediate with pathLen 0", async () => {
    const int1 = await makeIntermediate(root, { cn: "PathLen 0 CA", basicConstraints: { ca: true, pathLength: 0 } });
    const int2 = await makeIntermediate(int1, { cn: "Sub CA" });
    const leaf = await makeLeaf(int2);
    expect(codes(validate(pemFile(leaf, int2, int1)))).toEqual(["path-length"]);
    expect(validate(pemFile(await makeLeaf(int1), int1)).verdict).toBe("valid");
  });

  it("refuses an intermediate under a root with pathLen 0", async () => {
    const limited = await makeRoot({ cn: "PathLen 0 Root", basicConstraints: { ca: true, pathLength: 0 } });
    const int1 = await makeIntermediate(limited, { cn: "Below PathLen 0" });
    const leaf = await makeLeaf(int1);
    const store = trustFor(limited);
    expect(codes(validate(pemFile(leaf, int1), store))).toEqual(["path-length"]);
    expect(validate(pemFile(await makeLeaf(limited)), store).verdict).toBe("valid");
  });
});

describe("key-usage", () => {
  it("refuses an intermediate whose key usage lacks keyCertSign", async () => {
    const badInt = await makeIntermediate(root, {
      cn: "No CertSign CA",
      keyUsage: KeyUsageFlags.digitalSignature | KeyUsageFlags.cRLSign,
    });
    const leaf = await makeLeaf(badInt);
    const report = validate(pemFile(leaf, badInt));
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["key-usage"]);
  });

  it("refuses a trusted root whose key usage lacks keyCertSign", async () => {
    const badRoot = await makeRoot({ cn: "No CertSign Root", keyUsage: KeyUsageFlags.cRLSign });
    const leaf = await makeLeaf(badRoot);
    expect(codes(validate(pemFile(leaf), trustFor(badRoot)))).toEqual(["key-usage"]);
  });

  it("refuses an issuer that is not a CA (CA:FALSE)", async () => {
    const notCa = await makeIntermediate(root, { cn: "Not A CA", basicConstraints: { ca: false } });
    const leaf = await makeLeaf(notCa);
    expect(codes(validate(pemFile(leaf, notCa)))).toContain("key-usage");
  });

  it("refuses an issuer without basicConstraints", async () => {
    const noBc = await makeIntermediate(root, { cn: "No BC CA", basicConstraints: null });
    const leaf = await makeLeaf(noBc);
    expect(codes(validate(pemFile(leaf, noBc)))).toContain("key-usage");
  });

  it("refuses a leaf whose key usage lacks digitalSignature", async () => {
    const leaf = await makeLeaf(intermediate, { keyUsage: KeyUsageFlags.keyEncipherment });
    const report = validate(pemFile(leaf, intermediate));
    expect(codes(report)).toEqual(["key-usage"]);
    expect(report.errors[0]!.message).toContain("digitalSignature");
  });

  it("accepts a leaf and an intermediate without the key usage extension", async () => {
    const noKuInt = await makeIntermediate(root, { cn: "No KU CA", keyUsage: null });
    const leaf = await makeLeaf(noKuInt, { keyUsage: null });
    expect(validate(pemFile(leaf, noKuInt)).verdict).toBe("valid");
  });
});
