import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findPrivateKeys,
  validateCertificateBytes,
  validatePaths,
  type TrustStore,
} from "../../src/certificates/index.js";
import {
  AT,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  opensshKey,
  pemFile,
  privateKeySamples,
  trustFor,
  type Issued,
  type PrivateKeySample,
} from "../helpers/pki.js";
import { missingCommand, titled } from "../helpers/environment.js";

/** Private keys are refused in any format, and their material never reaches a report. */

const samples = privateKeySamples();
let trust: TrustStore;
let leaf: Issued;
let intermediate: Issued;

beforeAll(async () => {
  const root = await makeRoot();
  intermediate = await makeIntermediate(root);
  leaf = await makeLeaf(intermediate);
  trust = trustFor(root);
});

function expectNoLeak(output: string, sample: PrivateKeySample): void {
  for (const secret of sample.secrets) {
    expect(output.includes(secret), `${sample.label} material leaked`).toBe(false);
    // Also no long run of it (a report that quotes part of a line leaks too).
    for (let i = 0; i + 24 <= secret.length; i += 24) expect(output.includes(secret.slice(i, i + 24))).toBe(false);
  }
}

it("covers every common private key format", () => {
  const labels = samples.map((s) => s.label);
  expect(labels).toEqual(
    expect.arrayContaining([
      "PKCS#8 PEM (RSA)",
      "PKCS#1 RSA PRIVATE KEY",
      "SEC1 EC PRIVATE KEY",
      "ENCRYPTED PRIVATE KEY",
      "DER PKCS#8 (RSA)",
      "JWK with d (EC)",
      "JWK with d (RSA)",
    ]),
  );
});

// ssh-keygen on PATH must make the sample; only its absence skips.
const noSshKeygen = missingCommand("ssh-keygen", "apt-get install openssh-client");
it.skipIf(noSshKeygen !== null)(titled("has an OpenSSH key sample (made by ssh-keygen)", noSshKeygen), () => {
  expect(samples.map((s) => s.label)).toContain("OPENSSH PRIVATE KEY");
  expect(opensshKey()).toContain("-----BEGIN OPENSSH PRIVATE KEY-----");
});

describe.each(samples.map((s) => [s.label, s] as const))("a file holding a %s", (_label, sample) => {
  it("is refused with private-key and nothing of the key is reported", () => {
    const report = validateCertificateBytes(sample.bytes, { path: "certificates/1/device-1.pem", trust, at: AT });
    expect(report.verdict).toBe("invalid");
    expect(report.errors.map((e) => e.code)).toEqual(["private-key"]);
    expect(report.certificate).toBeNull();
    expectNoLeak(JSON.stringify(report), sample);
  });

  it("is detected by findPrivateKeys", () => {
    expect(findPrivateKeys(sample.bytes).length).toBeGreaterThan(0);
  });
});

describe("a private key next to a certificate", () => {
  const pemSamples = samples.filter((s) => Buffer.from(s.bytes).toString("latin1").includes("-----BEGIN"));

  it.each(pemSamples.map((s) => [s.label, s] as const))(
    "refuses a certificate file that also holds a %s",
    (_label, sample) => {
      const bytes = Buffer.concat([Buffer.from(pemFile(leaf, intermediate)), Buffer.from(sample.bytes)]);
      const report = validateCertificateBytes(bytes, { path: "device.pem", trust, at: AT });
      expect(report.verdict).toBe("invalid");
      expect(report.errors.map((e) => e.code)).toContain("private-key");
      expectNoLeak(JSON.stringify(report), sample);
    },
  );

  it("refuses a key placed before the certificate", () => {
    const sample = samples.find((s) => s.label === "PKCS#1 RSA PRIVATE KEY")!;
    const bytes = Buffer.concat([Buffer.from(sample.bytes), Buffer.from(pemFile(leaf, intermediate))]);
    expect(validateCertificateBytes(bytes, { path: "device.pem", trust, at: AT }).errors.map((e) => e.code)).toContain(
      "private-key",
    );
  });
});

it("does not mistake a certificate or a public key for a private key", () => {
  expect(findPrivateKeys(pemFile(leaf, intermediate))).toEqual([]);
  expect(findPrivateKeys(leaf.der)).toEqual([]);
  expect(findPrivateKeys(Buffer.from('{"kty":"EC","crv":"P-256","x":"abc","y":"def"}'))).toEqual([]);
});

describe("through validatePaths", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "private-keys-"));
    mkdirSync(join(dir, "certificates", "7"), { recursive: true });
    samples.forEach((s, i) => writeFileSync(join(dir, "certificates", "7", `device-${i}.pem`), s.bytes));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses every key file of a folder and leaks none", async () => {
    const result = await validatePaths(["certificates"], { root: dir, trust, at: AT });
    expect(result.files).toHaveLength(samples.length);
    expect(result.summary).toEqual({ valid: 0, invalid: samples.length });
    for (const file of result.files) expect(file.errors.map((e) => e.code)).toEqual(["private-key"]);
    const json = JSON.stringify(result);
    for (const sample of samples) expectNoLeak(json, sample);
  });
});

describe("an armour line without a key is not a key", () => {
  const rsa = privateKeySamples().find((s) => s.label === "PKCS#1 RSA PRIVATE KEY")!;
  const body = Buffer.from(rsa.bytes).toString("utf8").split("\n").slice(1, -2).join("\n");
  it.each([
    [
      "a source line naming the label",
      'const PKCS8 = "-----BEGIN PRIVATE KEY-----";\nif (pem.startsWith(PKCS8)) load(pem);\n',
    ],
    [
      "a regular expression over the labels",
      "const KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----/;\n",
    ],
    [
      ".env.example placeholder",
      'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\n...replace me...\\n-----END RSA PRIVATE KEY-----\\n"\n',
    ],
    [
      "documentation with an elided body",
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg...\n-----END PRIVATE KEY-----\n",
    ],
    ["a short base64 stub", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG\n-----END PRIVATE KEY-----\n"],
    [
      "a body that is base64 but not DER",
      `-----BEGIN PRIVATE KEY-----\n${Buffer.from("x".repeat(120)).toString("base64")}\n-----END PRIVATE KEY-----\n`,
    ],
    ["a key body under BEGIN without END", `-----BEGIN RSA PRIVATE KEY-----\n${body}\n`],
    ["a key body between different labels", `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END EC PRIVATE KEY-----\n`],
    [
      "an OpenSSH block without the openssh-key-v1 magic",
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`,
    ],
  ])("%s", (_label, text) => {
    expect(findPrivateKeys(Buffer.from(text))).toEqual([]);
  });
});

describe("keys in other wrappings", () => {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const pkcs8 = ec.export({ format: "pem", type: "pkcs8" }) as string;

  it("finds a PEM key stored in a JSON string with \\n escapes (service-account files)", () => {
    const json = JSON.stringify({ type: "service_account", private_key: pkcs8 });
    expect(json).not.toContain("\n-----END");
    expect(findPrivateKeys(Buffer.from(json))).toEqual(["PKCS#8"]);
  });

  it("finds a PEM key in a .env value with \\n escapes", () => {
    const env = `PRIVATE_KEY="${pkcs8.replaceAll("\n", "\\n")}"\n`;
    expect(findPrivateKeys(Buffer.from(env))).toEqual(["PKCS#8"]);
  });

  it("finds a legacy OpenSSL-encrypted PKCS#1 key (Proc-Type: 4,ENCRYPTED)", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const pem = rsa.export({ format: "pem", type: "pkcs1", cipher: "aes-128-cbc", passphrase: "secret" }) as string;
    expect(pem).toContain("Proc-Type: 4,ENCRYPTED");
    expect(findPrivateKeys(Buffer.from(pem))).toEqual(["PKCS#1 RSA"]);
  });

  it("finds a PuTTY key file, but not a mention of its header", () => {
    const random = (n: number) =>
      Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256)).toString("base64");
    const ppk = [
      "PuTTY-User-Key-File-3: ssh-ed25519",
      "Encryption: none",
      "Comment: device",
      "Public-Lines: 2",
      random(48),
      random(3),
      "Private-Lines: 1",
      random(36),
      `Private-MAC: ${"ab12".repeat(16)}`,
      "",
    ].join("\r\n");
    expect(findPrivateKeys(Buffer.from(ppk))).toEqual(["PuTTY"]);
    expect(findPrivateKeys(Buffer.from('if (text.startsWith("PuTTY-User-Key-File-3: ")) return "ppk";\n'))).toEqual([]);
  });

  it("finds an indented key (a YAML block scalar)", () => {
    const yaml = `tls:\n  key: |\n${pkcs8
      .trim()
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n")}\n`;
    expect(findPrivateKeys(Buffer.from(yaml))).toEqual(["PKCS#8"]);
  });
});

const noOpenssl = missingCommand("openssl", "apt-get install openssl; .ci/run does");

describe.skipIf(noOpenssl !== null)(titled("PKCS#12 (made by openssl pkcs12 -export)", noOpenssl), () => {
  let pfx: Uint8Array;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), "pkcs12-"));
    try {
      writeFileSync(join(dir, "key.pem"), leaf.keyPem);
      writeFileSync(join(dir, "cert.pem"), leaf.pem);
      execFileSync(
        "openssl",
        [
          "pkcs12",
          "-export",
          "-inkey",
          join(dir, "key.pem"),
          "-in",
          join(dir, "cert.pem"),
          "-out",
          join(dir, "device.p12"),
          "-passout",
          "pass:test",
        ],
        {
          stdio: "ignore",
        },
      );
      pfx = new Uint8Array(readFileSync(join(dir, "device.p12")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is private key material", () => {
    expect(findPrivateKeys(pfx)).toEqual(["PKCS#12"]);
  });

  it("is refused as a certificate file with private-key", () => {
    const report = validateCertificateBytes(pfx, { path: "certificates/1/device-1.pem", trust, at: AT });
    expect(report.errors.map((e) => e.code)).toEqual(["private-key"]);
    expect(report.errors[0]!.message).toContain("PKCS#12");
  });

  it("is told apart from a DER certificate", () => {
    expect(findPrivateKeys(leaf.der)).toEqual([]);
  });
});

describe("PKCS#12 told by its headers (issue 22: no full parse)", () => {
  // SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data, [0] { OCTET STRING … } } }, then MAC data.
  const ber = Buffer.from(
    "3080020103" +
      "3080" +
      "06092a864886f70d010701" +
      "a080" +
      "2480" +
      "0404deadbeef" +
      "0000" +
      "0000" +
      "0000" +
      "0000",
    "hex",
  );

  it("in BER, with indefinite lengths, as exporters often write it", () => {
    expect(findPrivateKeys(new Uint8Array(ber))).toEqual(["PKCS#12"]);
  });

  it("in DER, with another content type of the authSafe: signedData", () => {
    const der = Buffer.from("3010020103300b06092a864886f70d010702", "hex");
    expect(findPrivateKeys(new Uint8Array(der))).toEqual(["PKCS#12"]);
  });

  it("not when the version is not 3, nor the content type a PKCS#7 one", () => {
    expect(findPrivateKeys(new Uint8Array(Buffer.from("3010020102300b06092a864886f70d010701", "hex")))).toEqual([]);
    expect(findPrivateKeys(new Uint8Array(Buffer.from("3010020103300b06092a864886f70d010101", "hex")))).toEqual([]);
  });
});
