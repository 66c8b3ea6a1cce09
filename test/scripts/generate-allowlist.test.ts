import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { GenerationError, baselineSchema, ccadbSchema, generate, serialize } from "../../scripts/allowlist/generate.js";
import { DEFAULT_CCADB, INPUT, generateFromFiles } from "../../scripts/generate-allowlist.js";
import { missingPath, titled } from "../helpers/environment.js";

// The generator must not depend on the running Node's root store: with an empty one it
// generates the same bytes (a Node upgrade that retires roots changes nothing).
vi.mock("node:tls", async (original) => ({ ...(await original<typeof import("node:tls")>()), rootCertificates: [] }));

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const committed = readFileSync(path.join(repoRoot, "src/certificates/allowlist/roots.json"), "utf8");
const noSnapshot = missingPath(DEFAULT_CCADB, "the CCADB snapshot", repoRoot);
const hasSnapshot = noSnapshot === null;

describe.skipIf(!hasSnapshot)(titled("allowlist generation from the CCADB snapshot", noSnapshot), () => {
  const baseline = baselineSchema.parse(
    JSON.parse(readFileSync(path.join(repoRoot, "scripts/allowlist/baseline.json"), "utf8")),
  );
  // Read only where the snapshot exists: a skipped describe still runs its body to collect.
  const ccadb = hasSnapshot
    ? ccadbSchema.parse(JSON.parse(readFileSync(DEFAULT_CCADB, "utf8")))
    : (undefined as unknown as ReturnType<typeof ccadbSchema.parse>);
  const DIGICERT_G2 = "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";

  it("regenerates exactly the committed roots.json, with no Node root store at all", () => {
    expect(serialize(generateFromFiles(DEFAULT_CCADB))).toBe(committed);
  });

  it("never copies a carried root's certificate from the snapshot into the output", () => {
    const data = generate(INPUT, baseline, ccadb);
    const carried = data.roots.filter((root) => root.carried);
    expect(carried).toHaveLength(4);
    for (const root of carried) {
      expect(root.pem).toBeNull();
      const inSnapshot = ccadb.roots.find((r) => r.fingerprintSha256 === root.fingerprintSha256)!;
      expect(committed).not.toContain(inSnapshot.pem.split("\n")[1]);
    }
  });

  it("refuses to drop a baseline root that is merely left out of the pins", () => {
    const input = { ...INPUT, roots: INPUT.roots.filter((root) => root.fingerprintSha256 !== DIGICERT_G2) };
    expect(() => generate(input, baseline, ccadb)).toThrow(GenerationError);
    expect(() => generate(input, baseline, ccadb)).toThrow(/neither pinned nor in REMOVED/);
  });

  it("drops a baseline root listed in REMOVED, and keeps the reason in the data", () => {
    const removal = {
      fingerprintSha256: DIGICERT_G2,
      name: "DigiCert Global Root G2",
      date: "2030-01-01",
      reason: "test",
    };
    const input = {
      ...INPUT,
      roots: INPUT.roots.filter((root) => root.fingerprintSha256 !== DIGICERT_G2),
      removed: [removal],
    };
    const data = generate(input, baseline, ccadb);
    expect(data.roots.map((root) => root.fingerprintSha256)).not.toContain(DIGICERT_G2);
    expect(data.removed).toEqual([removal]);
    expect(() => generate({ ...input, removed: [{ ...removal, reason: " " }] }, baseline, ccadb)).toThrow(/reason/);
  });

  it("refuses a pin whose fingerprint is not in the snapshot, or whose name is not the certificate's", () => {
    const [first, ...rest] = INPUT.roots;
    const wrongPrint = { ...first!, fingerprintSha256: DIGICERT_G2.replace("CB:3C", "CB:3D") };
    expect(() => generate({ ...INPUT, roots: [wrongPrint, ...rest] }, baseline, ccadb)).toThrow(
      /not in the CCADB snapshot/,
    );
    const wrongName = { ...first!, name: "DigiCert Global Root G9" };
    expect(() => generate({ ...INPUT, roots: [wrongName, ...rest] }, baseline, ccadb)).toThrow(/is not the name of/);
  });

  it("refuses a baseline PEM that does not hash to its pin", () => {
    const [a, b] = baseline.roots;
    const tampered = { ...baseline, roots: [{ ...a!, pem: b!.pem }, ...baseline.roots.slice(1)] };
    expect(() => generate(INPUT, tampered, ccadb)).toThrow(/hashes to/);
  });
});

describe("npm run allowlist -- --check", () => {
  it("prints a visible SKIPPED line and exits 0 where the CCADB snapshot is absent", () => {
    const out = execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/generate-allowlist.ts",
        "--check",
        "--ccadb",
        path.join(repoRoot, "no-such-dir/brand-roots.json"),
      ],
      { cwd: repoRoot, encoding: "utf8" },
    );
    expect(out).toMatch(/^allowlist --check: SKIPPED — no CCADB snapshot at /);
  });
});
