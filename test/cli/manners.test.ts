import "reflect-metadata";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TrustStore, validatePaths } from "../../src/certificates/index.js";
import { main } from "../../src/cli/dispatch.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile, privateKeySamples, type Issued } from "../helpers/pki.js";

/** The CLI's manners, command by command, run in-process through the real dispatcher. */
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string };
let dir: string;
const path = (name: string) => join(dir, name);
let root: Issued;
let intermediate: Issued;
let leaf: Issued;
const keyPem = () => Buffer.from(privateKeySamples().find((s) => s.label === "PKCS#8 PEM (EC)")!.bytes);

async function cli(argv: string[], stdin?: Buffer) {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: (s: string) => (stdout += s),
    stderr: (s: string) => (stderr += s),
    readStdinBytes: async () => stdin ?? Buffer.alloc(0),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

function write(name: string, bytes: Uint8Array | string): string {
  mkdirSync(dirname(path(name)), { recursive: true });
  writeFileSync(path(name), bytes);
  return path(name);
}

const at = ["--at", AT.toISOString()];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cli-manners-"));
  root = await makeRoot({ cn: "Manners Root" });
  intermediate = await makeIntermediate(root, { cn: "Manners CA" });
  leaf = await makeLeaf(intermediate, { cn: "gateway-01" });
  write("root.pem", root.pem);
  write("device.pem", pemFile(leaf, intermediate));
  write("key.pem", keyPem());
  write("broken.yml", "certificates:\n  warnDays: many\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--version and --help", () => {
  it("--version prints the package version", async () => {
    for (const flag of ["--version", "-V"])
      expect(await cli([flag])).toEqual({ code: 0, stdout: `onerecord-access ${pkg.version}\n`, stderr: "" });
  });

  it.each(["validate", "decrypt-token", "verify-token", "jwks"])("%s --help exits 0 with its usage", async (name) => {
    for (const flag of ["--help", "-h"]) {
      const out = await cli([name, flag]);
      expect(out).toMatchObject({ code: 0, stderr: "" });
      expect(out.stdout).toMatch(new RegExp(`^usage: node cli/dist/onerecord-access\\.js ${name} `));
    }
  });

  it("the top-level help lists every command", async () => {
    const out = await cli(["--help"]);
    for (const name of ["validate", "decrypt-token", "verify-token", "jwks", "--version"])
      expect(out.stdout).toContain(name);
  });
});

describe("validate", () => {
  it("reads a certificate file from standard input with -", async () => {
    const out = await cli(
      ["validate", ...at, "--trust", path("root.pem"), "-"],
      Buffer.from(pemFile(leaf, intermediate)),
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^\(standard input\)\n/);
    expect(out.stdout).toMatch(/verdict\s+VALID/);
    const json = await cli(["validate", "--json", ...at, "--trust", path("root.pem"), "-"], Buffer.from(leaf.der));
    expect(JSON.parse(json.stdout)).toMatchObject({ files: [{ path: "(standard input)", verdict: "invalid" }] });
  });

  it("states the validation time it used", async () => {
    const given = await cli(["validate", ...at, "--trust", path("root.pem"), path("device.pem")]);
    expect(given.stdout).toContain(`validated at ${AT.toISOString()} (--at)`);
    const before = Date.now();
    const now = await cli(["validate", "--trust", path("root.pem"), path("device.pem")]);
    const stated = /validated at (\S+) \(now\)/.exec(now.stdout)?.[1];
    expect(stated).toBeDefined();
    expect(Date.parse(stated!)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("a broken --config exits 2 and names the file given, not the default path", async () => {
    const out = await cli(["validate", "--config", path("broken.yml"), path("device.pem")]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`--config ${path("broken.yml")}: certificates.warnDays`);
    expect(out.stderr).not.toContain(".github/onerecord-access.yml");
    const verify = await cli(["verify-token", "--config", path("broken.yml"), "--jwks", "j", "--cert", "c", "a.b.c"]);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain(`--config ${path("broken.yml")}: certificates.warnDays`);
  });

  it("a private key given as --config is named as such, never echoed", async () => {
    const out = await cli(["validate", "--config", path("key.pem"), path("device.pem")]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--config .*key\.pem: this is a private key \(.*\); pass the configuration file/);
    expect(out.stderr).not.toContain(keyPem().toString().split("\n")[1]);
  });
});

describe("every command exits 2 for an option file it cannot read", () => {
  const missing = () => path("missing.file");
  it.each([
    ["validate --config", () => ["validate", "--config", missing(), path("device.pem")]],
    ["validate --trust", () => ["validate", "--trust", missing(), path("device.pem")]],
    ["decrypt-token --key", () => ["decrypt-token", "--key", missing(), "x.y.z.w.v"]],
    ["verify-token --jwks", () => ["verify-token", "--jwks", missing(), "--cert", path("device.pem"), "a.b.c"]],
    [
      "verify-token --config",
      () => ["verify-token", "--config", missing(), "--jwks", missing(), "--cert", missing(), "a.b.c"],
    ],
    ["jwks --key", () => ["jwks", "--key", missing()]],
  ])("%s", async (_, argv) => {
    const out = await cli(argv());
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(missing());
    expect(out.stdout).toBe("");
  });
});

describe("advice that fits the mistake", () => {
  const adviceFor = async (file: string) => {
    const out = await cli(["validate", "--json", ...at, "--trust", path("root.pem"), file]);
    const report = JSON.parse(out.stdout) as { files: Array<{ advice?: string[] }> };
    return (report.files[0]?.advice ?? []).join("\n");
  };

  it("leaf and intermediate in the wrong order: put the leaf first", async () => {
    expect(await adviceFor(write("order/device.pem", pemFile(intermediate, leaf)))).toMatch(/put the leaf first/);
    expect(await adviceFor(path("device.pem"))).toBe("");
  });

  it("a .p7b bundle, PEM or DER: how to convert it", async () => {
    const p7bPem = "-----BEGIN PKCS7-----\nMIIBAAYJKoZIhvcNAQcCoIIB\n-----END PKCS7-----\n";
    expect(await adviceFor(write("bundle/chain.p7b", p7bPem))).toMatch(
      /openssl pkcs7 -print_certs -in '[^']*bundle\/chain\.p7b' -out '[^']*bundle\/chain\.pem'/,
    );
    const der = Buffer.concat([
      Buffer.from([0x30, 0x0d]),
      Buffer.from("06092a864886f70d010702", "hex"),
      Buffer.from([0xa0, 0x00]),
    ]);
    expect(await adviceFor(write("bundle/chain.bin", der))).toMatch(/openssl pkcs7 -inform DER -print_certs -in/);
  });

  it("a single DER file without its intermediate: use PEM for the chain", async () => {
    expect(await adviceFor(write("der/device.der", leaf.der))).toMatch(
      /DER file holds one certificate.*use PEM for the chain/,
    );
  });

  it("a .crt under certificates/: rename to .pem", async () => {
    write("repo/certificates/12/gateway-01.crt", pemFile(leaf, intermediate));
    // The layout applies to repository-relative paths: run from the clone's root, as customers do.
    const cwd = process.cwd();
    process.chdir(path("repo"));
    try {
      const out = await cli(["validate", ...at, "--trust", path("root.pem"), "certificates/12"]);
      expect(out.code).toBe(1);
      expect(out.stdout).toMatch(/error device-mismatch/);
      expect(out.stdout).toContain("rename it to certificates/12/gateway-01.pem");
    } finally {
      process.chdir(cwd);
    }
  });

  it("a private key given as the certificate: keep it, pass the certificate; as --trust: this is a private key", async () => {
    expect(await adviceFor(path("key.pem"))).toMatch(
      /this is a private key: keep it on the device and pass its certificate/,
    );
    const trust = await cli(["validate", "--trust", path("key.pem"), path("device.pem")]);
    expect(trust.code).toBe(2);
    expect(trust.stderr).toMatch(/--trust .*key\.pem: this is a private key \(.*\); pass the root certificate/);
    expect(trust.stderr).not.toContain(keyPem().toString().split("\n")[1]);
  });
});

describe("a folder walk", () => {
  it("judges certificate files and lists the files it skipped", async () => {
    write("walk/gateway-01.pem", pemFile(leaf, intermediate));
    write("walk/README.md", "# our certificates\n");
    write("walk/.DS_Store", Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    const out = await cli(["validate", ...at, "--trust", path("root.pem"), path("walk")]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      /skipped \(not certificate files, no private key found\): .*walk\/\.DS_Store, .*walk\/README\.md/,
    );
    const json = JSON.parse(
      (await cli(["validate", "--json", ...at, "--trust", path("root.pem"), path("walk")])).stdout,
    );
    expect(json.summary).toEqual({ valid: 1, invalid: 0 });
    expect(json.skipped).toHaveLength(2);
  });

  it("still reads every file for private keys", async () => {
    write("walk-key/gateway-01.pem", pemFile(leaf, intermediate));
    write("walk-key/notes.txt", keyPem());
    const json = JSON.parse(
      (await cli(["validate", "--json", ...at, "--trust", path("root.pem"), path("walk-key")])).stdout,
    ) as { skipped: string[]; files: Array<{ path: string; errors: Array<{ code: string }> }> };
    expect(json.skipped).toEqual([]);
    expect(json.files.map((f) => [f.path.split("/").pop(), f.errors.map((e) => e.code)])).toEqual([
      ["gateway-01.pem", []],
      ["notes.txt", ["private-key"]],
    ]);
  });

  it("a file named directly is always judged; the PR check (no certificateNamesOnly) judges every file", async () => {
    const named = await cli(["validate", ...at, "--trust", path("root.pem"), path("walk/README.md")]);
    expect(named.code).toBe(1);
    const strict = await validatePaths([path("walk")], { trust: TrustStore.default([]), at: AT });
    expect(strict.files.map((f) => f.path.split("/").pop()).sort()).toEqual([
      ".DS_Store",
      "README.md",
      "gateway-01.pem",
    ]);
    expect(strict.skipped).toBeUndefined();
  });
});
