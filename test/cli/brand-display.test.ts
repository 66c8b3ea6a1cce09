import { describe, expect, it } from "vitest";
import { renderSummary } from "../../action/validate-certificates/4-summarize.js";
import type { FileReport, ValidationReport } from "../../src/certificates/index.js";
import { renderReport } from "../../src/cli/render-report.js";

/** Reports say what the root a certificate chains to is for: "DigiCert — client-authentication root". */

function reportWith(certificate: Partial<NonNullable<FileReport["certificate"]>>): ValidationReport {
  const file: FileReport = {
    path: "certificates/1/device-1.pem",
    verdict: "valid",
    certificate: {
      subject: "CN=device-1",
      issuer: "CN=Issuing CA",
      brand: "DigiCert",
      notBefore: "2026-01-01T00:00:00.000Z",
      notAfter: "2027-01-01T00:00:00.000Z",
      fingerprintSha256: "AB:CD",
      chain: ["CN=Issuing CA", "CN=Root"],
      ...certificate,
    },
    errors: [],
    warnings: [],
  };
  return { files: [file], summary: { valid: 1, invalid: 0 } };
}

const human = { at: new Date("2026-06-01T00:00:00Z"), atGiven: true };
const context = { configSource: "defaults", changedOnly: true, validationTime: undefined, unscanned: [] };

describe("brand and root purpose in the CLI's output and the PR summary", () => {
  it("shows the brand with the purpose of its root when the allowlist knows it", () => {
    const report = reportWith({ rootPurpose: "client-authentication root" });
    expect(renderReport(report, human)).toMatch(/brand +DigiCert — client-authentication root\n/);
    expect(renderSummary(report, context)).toContain(
      '<th align="left">brand</th><td>DigiCert — client-authentication root</td>',
    );
  });

  it("shows the brand alone for a configured root, and says so when there is no approved CA", () => {
    expect(renderReport(reportWith({ brand: "Example CA" }), human)).toMatch(/brand +Example CA\n/);
    expect(renderReport(reportWith({ brand: null }), human)).toMatch(/brand +\(no approved CA\)\n/);
    expect(renderSummary(reportWith({ brand: "<b>x</b>" }), context)).toContain("<td>&#60;b&#62;x&#60;/b&#62;</td>");
  });
});
