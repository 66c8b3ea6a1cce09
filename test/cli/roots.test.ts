import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/dispatch.js";

/** `onerecord-access roots`: the allowlist as a customer or support engineer asks about it. */

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(["roots", ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

interface Listed {
  brand: string;
  brands: string[];
  name: string;
  key: string;
  purpose: string;
  notAfter: string;
  fingerprintSha256: string;
  carried: boolean;
}

const DIGICERT_CLIENT_RSA =
  "3A:F2:14:66:92:0F:A9:1F:A3:1F:43:31:E4:45:C1:6B:E2:33:00:24:BF:D2:C2:39:C0:D8:5A:B5:30:71:47:66";

describe("onerecord-access roots", () => {
  it("--json lists every pinned root once: brand, name, key, purpose, expiry, SHA-256, whether the file must carry it", async () => {
    const { code, stdout, stderr } = await run("--json");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const listed = JSON.parse(stdout) as { roots: Listed[]; brand: string | null; sources: { ccadb: string } };
    expect(listed.brand).toBeNull();
    expect(listed.sources.ccadb).toContain("CCADB");
    expect(listed.roots).toHaveLength(28);
    expect(new Set(listed.roots.map((r) => r.fingerprintSha256)).size).toBe(28);
    expect(listed.roots.find((r) => r.fingerprintSha256 === DIGICERT_CLIENT_RSA)).toMatchObject({
      brand: "DigiCert",
      name: "DigiCert Client RSA4096 Root G5",
      key: "RSA 4096",
      purpose: "client-authentication root",
      notAfter: "2046-01-14T23:59:59.000Z",
      carried: true,
    });
    expect(stdout).not.toContain("BEGIN CERTIFICATE");
  });

  it("--brand answers for a legacy brand with the roots that issue it today, case-insensitively", async () => {
    const { code, stdout } = await run("--json", "--brand", "geotrust");
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { roots: Listed[]; brand: string };
    expect(listed.brand).toBe("GeoTrust");
    expect(listed.roots.length).toBeGreaterThan(0);
    for (const root of listed.roots) {
      expect(root.brand).toBe("DigiCert");
      expect(root.brands).toContain("GeoTrust");
    }
  });

  it("knows the current names of the approved brands (Sectigo is Comodo, Starfield is GoDaddy)", async () => {
    expect(JSON.parse((await run("--json", "--brand", "Sectigo")).stdout)).toMatchObject({ brand: "Comodo" });
    expect(JSON.parse((await run("--json", "--brand", "starfield")).stdout)).toMatchObject({ brand: "GoDaddy" });
  });

  it("prints a readable list, with the purpose next to the brand and the carried roots marked", async () => {
    const { code, stdout } = await run("--brand", "GlobalSign");
    expect(code).toBe(0);
    expect(stdout).toContain("GlobalSign Client Authentication Root R45");
    expect(stdout).toContain("GlobalSign — client-authentication root");
    expect(stdout).toMatch(/in the file +required: put this root at the end of the certificate file/);
    expect(stdout).toMatch(/in the file +not needed/);
    expect(stdout).toContain("2027-03-15");
  });

  it("exits 1 for a brand that is not approved, and says how a CA gets added", async () => {
    const { code, stdout, stderr } = await run("--brand", "Let's Encrypt");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain('"Let\'s Encrypt" is not an approved brand');
    expect(stderr).toContain("certificates.extraCAs");
  });

  it("does not echo a --brand value that does not look like a name", async () => {
    const { code, stderr } = await run("--brand", "-----BEGIN PRIVATE KEY-----MIIE");
    expect(code).toBe(2); // taken for an option: usage
    expect(stderr).not.toContain("MIIE");
    const odd = await run("--brand=eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.sig");
    expect(odd.code).toBe(1);
    expect(odd.stderr).not.toContain("eyJ");
  });

  it("prints its help with exit 0, and refuses unknown options and arguments with exit 2", async () => {
    const help = await run("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: node cli/dist/onerecord-access.js roots [--json] [--brand NAME]");
    expect((await run("--bogus")).code).toBe(2);
    expect((await run("extra")).code).toBe(2);
  });

  it("is listed in the top-level usage", async () => {
    let out = "";
    await main(["--help"], { stdout: (t) => (out += t), stderr: () => undefined });
    expect(out).toContain("roots [--json] [--brand NAME]");
  });
});
