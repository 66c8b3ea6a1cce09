import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TrustStore, validateCertificateBytes, type FileReport } from "../../src/certificates/index.js";
import { missingPath, titled } from "../helpers/environment.js";

/**
 * Fourteen real public chains (../shared/fixtures/real-chains, read in place) judged under the
 * pinned allowlist at the time each was valid. Skipped, visibly, where ../shared is absent.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = path.resolve(repoRoot, "../shared/fixtures/real-chains");

interface Expected {
  verdict: "valid" | "invalid";
  /** The distinct error codes, sorted. */
  errors: string[];
  /** Brand of the allowlisted root, null when the chain ends at an unlisted CA. */
  brand: string | null;
  why: string;
}

const EXPECTED: Record<string, Expected> = {
  "akamai.com": {
    verdict: "valid",
    errors: [],
    brand: "DigiCert",
    why: "DigiCert Global Root G3, leaf has clientAuth",
  },
  "amazon.com": {
    verdict: "valid",
    errors: [],
    brand: "DigiCert",
    why: "DigiCert Global Root G2, leaf has clientAuth",
  },
  "docs.python.org": {
    verdict: "valid",
    errors: [],
    brand: "GlobalSign",
    why: "GlobalSign Root R3, leaf has clientAuth",
  },
  "facebook.com": {
    verdict: "valid",
    errors: [],
    brand: "DigiCert",
    why: "DigiCert Global Root G2, leaf has clientAuth",
  },
  "apple.com": {
    verdict: "invalid",
    errors: ["missing-client-auth"],
    brand: "DigiCert",
    why: "approved root, serverAuth-only leaf",
  },
  "bing.com": {
    verdict: "invalid",
    errors: ["missing-client-auth"],
    brand: "DigiCert",
    why: "approved root, serverAuth-only leaf and CAs",
  },
  "microsoft.com": {
    verdict: "invalid",
    errors: ["missing-client-auth"],
    brand: "DigiCert",
    why: "approved root, serverAuth-only leaf and CAs",
  },
  "fastly.com": {
    verdict: "invalid",
    errors: ["missing-client-auth"],
    brand: "GoDaddy",
    why: "Starfield root (GoDaddy), serverAuth-only leaf",
  },
  "cloudflare.com": {
    verdict: "invalid",
    errors: ["missing-client-auth", "untrusted-root"],
    brand: null,
    why: "Google Trust Services root, serverAuth-only",
  },
  "google.com": {
    verdict: "invalid",
    errors: ["missing-client-auth", "untrusted-root"],
    brand: null,
    why: "Google Trust Services root, serverAuth-only",
  },
  "storage.googleapis.com": {
    verdict: "invalid",
    errors: ["missing-client-auth", "untrusted-root"],
    brand: null,
    why: "Google Trust Services root, serverAuth-only",
  },
  "aws.amazon.com": {
    verdict: "invalid",
    errors: ["missing-client-auth", "untrusted-root"],
    brand: null,
    why: "Amazon root, serverAuth-only",
  },
  "s3.amazonaws.com": {
    verdict: "invalid",
    errors: ["untrusted-root"],
    brand: null,
    why: "Amazon root (not an approved CA); leaf has clientAuth",
  },
  "stackoverflow.com": {
    verdict: "invalid",
    errors: ["missing-client-auth", "untrusted-root"],
    brand: null,
    why: "ISRG (Let's Encrypt) root, serverAuth-only",
  },
};

interface Case {
  name: string;
  bytes: Uint8Array;
  at: Date;
  leafNotAfter: Date;
}

function loadCase(name: string): Case {
  const folder = path.join(dir, name);
  const leaf = readFileSync(path.join(folder, "leaf.pem"));
  const intermediates = readFileSync(path.join(folder, "intermediates.pem"));
  const { validation_time } = JSON.parse(readFileSync(path.join(folder, "case.json"), "utf8")) as {
    validation_time: string;
  };
  return {
    name,
    bytes: Buffer.concat([leaf, Buffer.from("\n"), intermediates]),
    at: new Date(validation_time),
    leafNotAfter: new Date(new X509Certificate(leaf).validTo),
  };
}

const distinctCodes = (report: FileReport) => [...new Set(report.errors.map((e) => e.code))].sort();

const noRealChains = missingPath(dir, "the real chains", repoRoot);

describe.skipIf(noRealChains !== null)(titled("real chains under the pinned allowlist", noRealChains), () => {
  const trust = TrustStore.default();
  const validate = (c: Case, at = c.at) => validateCertificateBytes(c.bytes, { path: `${c.name}.pem`, trust, at });

  it("has the fourteen chains this test knows", () => {
    const folders = [
      "akamai.com",
      "amazon.com",
      "apple.com",
      "aws.amazon.com",
      "bing.com",
      "cloudflare.com",
      "docs.python.org",
    ]
      .concat([
        "facebook.com",
        "fastly.com",
        "google.com",
        "microsoft.com",
        "s3.amazonaws.com",
        "stackoverflow.com",
        "storage.googleapis.com",
      ])
      .filter((name) => existsSync(path.join(dir, name, "case.json")));
    expect(folders.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(Object.entries(EXPECTED))("%s", (name, expected) => {
    it(`is ${expected.verdict} at its validation time (${expected.why})`, () => {
      const c = loadCase(name);
      const report = validate(c);
      expect(distinctCodes(report)).toEqual(expected.errors);
      expect(report.verdict).toBe(expected.verdict);
      expect(report.certificate?.brand ?? null).toBe(expected.brand);
      expect(report.certificate?.fingerprintSha256).toBe(
        new X509Certificate(readFileSync(path.join(dir, name, "leaf.pem"))).fingerprint256,
      );
      if (expected.brand) expect(report.certificate!.chain.length).toBeGreaterThanOrEqual(2);
    });

    it("is expired at 2026-11-28 when its leaf has expired by then", () => {
      const c = loadCase(name);
      const now = new Date("2026-11-28T00:00:00Z");
      const codes = distinctCodes(validate(c, now));
      if (c.leafNotAfter < now) {
        expect(codes).toContain("expired");
      } else {
        expect(codes).not.toContain("expired");
        expect(codes).toEqual(expected.errors);
      }
    });

    it("is expired in 2032, after every certificate of these chains", () => {
      const report = validate(loadCase(name), new Date("2032-01-01T00:00:00Z"));
      expect(report.verdict).toBe("invalid");
      expect(distinctCodes(report)).toContain("expired");
    });
  });

  it("most chains have expired by 2026-11-28 (all but amazon.com and docs.python.org)", () => {
    const now = new Date("2026-11-28T00:00:00Z");
    const stillValid = Object.keys(EXPECTED).filter(
      (name) => !distinctCodes(validate(loadCase(name), now)).includes("expired"),
    );
    expect(stillValid.sort()).toEqual(["amazon.com", "docs.python.org"]);
  });

  it("is untrusted when the file also carries the chain's own unlisted root", () => {
    const c = loadCase("google.com");
    const root = readFileSync(path.join(dir, "google.com", "root.pem"));
    const report = validateCertificateBytes(Buffer.concat([Buffer.from(c.bytes), Buffer.from("\n"), root]), {
      path: "google.com.pem",
      trust,
      at: c.at,
    });
    expect(distinctCodes(report)).toContain("untrusted-root");
  });

  it("is trusted (brand from the store) when the chain's own root is added as an extra CA", async () => {
    const { trustAnchorFromPem } = await import("../../src/certificates/index.js");
    const c = loadCase("s3.amazonaws.com");
    const root = readFileSync(path.join(dir, "s3.amazonaws.com", "root.pem"), "utf8");
    const report = validateCertificateBytes(c.bytes, {
      path: "s3.pem",
      trust: TrustStore.default([trustAnchorFromPem(root, "Amazon (extra CA)")]),
      at: c.at,
    });
    expect(report.errors).toEqual([]);
    expect(report.certificate?.brand).toBe("Amazon (extra CA)");
  });

  it("needs the intermediates: the leaf alone is incomplete", () => {
    const c = loadCase("akamai.com");
    const leaf = readFileSync(path.join(dir, "akamai.com", "leaf.pem"));
    const report = validateCertificateBytes(leaf, { path: "akamai.pem", trust, at: c.at });
    expect(report.verdict).toBe("invalid");
    expect(distinctCodes(report)).toEqual(["missing-intermediate"]);
  });
});
