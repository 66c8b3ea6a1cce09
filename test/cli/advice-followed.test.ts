import "reflect-metadata";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PinnedRoot } from "../../src/certificates/allowlist/index.js";
import { DEFAULT_PATH_PATTERN, TrustStore } from "../../src/certificates/index.js";
import { inspectCertificate } from "../../src/certificates/inspect.js";
import { validateInputs } from "../../src/cli/validate-inputs.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile, trustFor, type Issued } from "../helpers/pki.js";

/**
 * Advice is only as good as the file it leads to: each test makes the customer's files, takes the
 * command the advice gives, runs it in a shell as the customer would, and judges the result.
 */
const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
let dir: string;
let root: Issued;
let intermediate: Issued;
let leaf: Issued;

const file = (name: string) => join(dir, name);
function write(name: string, bytes: Uint8Array | string): string {
  mkdirSync(dirname(file(name)), { recursive: true });
  writeFileSync(file(name), bytes);
  return file(name);
}

/** A pin by fingerprint only, as the allowlist's client-authentication roots are (carried last). */
function pinnedOnly(issued: Issued): TrustStore {
  const facts = inspectCertificate(issued.der);
  const pin: PinnedRoot = {
    brand: "DigiCert",
    fingerprintSha256: facts.fingerprintSha256,
    profile: {
      name: "Advice Client Root",
      subject: facts.subject,
      fingerprintSha256: facts.fingerprintSha256,
      brand: "DigiCert",
      brands: ["DigiCert"],
      purpose: "client-authentication root",
      purposeBasis: "test",
      key: "EC P-256",
      notAfter: facts.notAfter.toISOString(),
      programs: ["Microsoft"],
      trustBits: "Client Authentication",
      factsSource: "test",
      clientAuthEnds: null,
      carried: true,
    },
  };
  return TrustStore.fromSources([], [pin]);
}

async function judge(paths: string[], trust: TrustStore) {
  const { report, advice } = await validateInputs(paths, { trust, at: AT, pattern: DEFAULT_PATH_PATTERN });
  return { files: report.files, advice: (path: string) => (advice.get(path) ?? []).join("\n") };
}

/** The one shell command of an advice text (between backticks), run where the files are. */
function follow(advice: string): string {
  const commands = [...advice.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  expect(commands).toHaveLength(1);
  execFileSync("sh", ["-c", commands[0]!], { cwd: dir, stdio: "ignore" });
  return commands[0]!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cli-advice-"));
  root = await makeRoot({ cn: "Advice Client Root" });
  intermediate = await makeIntermediate(root, { cn: "Advice Issuing CA" });
  leaf = await makeLeaf(intermediate, { cn: "pump-7" });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a CA's download: leaf, intermediate and root in separate files", () => {
  it("says to join them, leaf first, with the exact command; the joined file is valid", async () => {
    write("download/pump-7.pem", leaf.pem);
    write("download/intermediate.pem", intermediate.pem);
    write("download/root.pem", root.pem);
    const trust = trustFor(root);
    const first = await judge([file("download")], trust);
    expect(first.files.map((f) => f.verdict)).toEqual(["invalid", "invalid", "invalid"]);
    const advice = first.advice(file("download/pump-7.pem"));
    expect(advice).toMatch(/each hold one certificate of one chain: join them into one PEM file, the leaf first/);
    for (const f of first.files) expect(first.advice(f.path)).toContain(advice);
    const command = follow(advice);
    expect(command).toBe(
      `cat '${file("download/pump-7.pem")}' '${file("download/intermediate.pem")}' > '${file("download/pump-7-chain.pem")}'`,
    );
    const joined = await judge([file("download/pump-7-chain.pem")], trust);
    expect(joined.files.map((f) => f.verdict)).toEqual(["valid"]);
  });

  it.runIf(hasOpenssl)(
    "keeps a root pinned by fingerprint only as the last block, and converts a DER file; the joined file is valid",
    async () => {
      write("der/a-root.pem", root.pem);
      write("der/b-issuing.cer", intermediate.der);
      write("der/c-device.crt", leaf.pem);
      const trust = pinnedOnly(root);
      const first = await judge([file("der")], trust);
      const command = follow(first.advice(file("der/c-device.crt")));
      expect(command).toBe(
        `{ cat '${file("der/c-device.crt")}'; openssl x509 -inform der -in '${file("der/b-issuing.cer")}'; cat '${file("der/a-root.pem")}'; } > '${file("der/c-device-chain.pem")}'`,
      );
      expect(first.advice(file("der/c-device.crt"))).toMatch(/then the root, as the last block/);
      const joined = await judge([file("der/c-device-chain.pem")], trust);
      expect(joined.files.map((f) => [f.verdict, f.errors])).toEqual([["valid", []]]);
    },
  );

  it("gives no such advice for one file, or for files that are not one chain", async () => {
    write("alone/pump-7.pem", leaf.pem);
    const other = await makeRoot({ cn: "Unrelated Root" });
    write("unrelated/pump-7.pem", leaf.pem);
    write("unrelated/other.pem", other.pem);
    const trust = trustFor(root);
    expect((await judge([file("alone")], trust)).advice(file("alone/pump-7.pem"))).not.toMatch(/join them/);
    expect((await judge([file("unrelated")], trust)).advice(file("unrelated/pump-7.pem"))).not.toMatch(/join them/);
  });
});

describe("a file with the device's private key beside its certificates", () => {
  it("says the key is never committed or shared, and how to write the certificates alone; that file is valid", async () => {
    const keyLines = leaf.keyPem.split("\n").filter((line) => line.length > 20 && !line.startsWith("-----"));
    const withKey = write("keyed/pump-7.pem", `${leaf.keyPem}\n${Buffer.from(pemFile(leaf, intermediate)).toString()}`);
    const trust = trustFor(root);
    const first = await judge([withKey], trust);
    expect(first.files[0]!.errors.map((e) => e.code)).toEqual(["private-key"]);
    const advice = first.advice(withKey);
    expect(advice).toMatch(/a private key must never be committed or shared/);
    for (const line of keyLines) expect(advice).not.toContain(line);
    const command = follow(advice);
    const written = readFileSync(file("keyed/pump-7.certificates.pem"), "utf8");
    expect(command).toContain(`> '${file("keyed/pump-7.certificates.pem")}'`);
    expect(written).not.toMatch(/PRIVATE KEY/);
    const fixed = await judge([file("keyed/pump-7.certificates.pem")], trust);
    expect(fixed.files.map((f) => f.verdict)).toEqual(["valid"]);
  });

  it("a key alone: keep it on the device, never commit or share it, pass its certificate", async () => {
    const keyOnly = write("keyonly/device.key.pem", leaf.keyPem);
    const advice = (await judge([keyOnly], trustFor(root))).advice(keyOnly);
    expect(advice).toMatch(/this is a private key: keep it on the device and pass its certificate/);
    expect(advice).toMatch(/never commit or share it/);
    expect(advice).not.toMatch(/`/);
  });
});

describe.runIf(hasOpenssl)("a PKCS#7 (.p7b) bundle", () => {
  it("the advised conversion keeps the root as the last block, and the result is valid", async () => {
    const source = write("p7b-source/chain.pem", pemFile(leaf, intermediate, root));
    const bundle = file("p7b/pump-7.p7b");
    mkdirSync(dirname(bundle), { recursive: true });
    execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", source, "-outform", "DER", "-out", bundle]);
    const trust = pinnedOnly(root);
    const first = await judge([bundle], trust);
    const advice = first.advice(bundle);
    expect(advice).not.toMatch(/drop the root/);
    const command = follow(advice);
    expect(command).toBe(`openssl pkcs7 -inform DER -print_certs -in '${bundle}' -out '${file("p7b/pump-7.pem")}'`);
    const converted = await judge([file("p7b/pump-7.pem")], trust);
    expect(converted.files.map((f) => [f.verdict, f.errors])).toEqual([["valid", []]]);
    // What "drop the root" led to: the pinned client-authentication root missing.
    write("p7b/dropped.pem", pemFile(leaf, intermediate));
    const dropped = await judge([file("p7b/dropped.pem")], trust);
    expect(dropped.files[0]!.errors.map((e) => e.code)).toEqual(["missing-root"]);
  });
});
