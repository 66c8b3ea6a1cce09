import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fmt, interleaved, timeCommand } from "./measure.js";

x509.cryptoProvider.set(webcrypto);
const CHAINS = 1000;
const ROUNDS = 3;
const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/**
 * 1,000 client chains (leaf + one intermediate under a test root), validated by the CLI in one
 * run over the folder and by `openssl verify -purpose sslclient` on the same files: once a
 * process per chain (how a per-file check runs) and once in a single batched invocation.
 */
export async function benchCertificates(repo: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "onerecord-bench-"));
  try {
    const { leaves } = await generate(dir);
    const at = "2026-06-01T00:00:00Z";
    // The committed bundle: what customers run.
    const cli = join(repo, "cli/dist/onerecord-access.js");
    const cliArgs = [cli, "validate", "--trust", join(dir, "root.pem"), "--at", at, join(dir, "certificates")];
    const script = leaves
      .map(
        (l) =>
          `openssl verify -purpose sslclient -attime ${Date.parse(at) / 1000} -CAfile root.pem -untrusted intermediate.pem ${l} >/dev/null || exit 1`,
      )
      .join("\n");
    writeFileSync(join(dir, "per-file.sh"), script);
    const batch = [
      "verify",
      "-purpose",
      "sslclient",
      "-attime",
      String(Date.parse(at) / 1000),
      "-CAfile",
      "root.pem",
      "-untrusted",
      "intermediate.pem",
      ...leaves,
    ];

    const t = interleaved(ROUNDS, {
      cli: () => timeCommand(process.execPath, cliArgs),
      opensslPerFile: () => timeCommand("bash", ["per-file.sh"], { cwd: dir }),
      opensslBatch: () => timeCommand("openssl", batch, { cwd: dir }),
    });
    const lines = [
      `certificates: ${CHAINS} client chains (leaf + intermediate, EC P-256), median of ${ROUNDS} interleaved runs`,
      `  onerecord-access validate (one run, all files)  ${fmt(t.cli!)}  (${(t.cli! / CHAINS).toFixed(2)} ms/chain)`,
      `  openssl verify, one process per chain           ${fmt(t.opensslPerFile!)}`,
      `  openssl verify, one batched process             ${fmt(t.opensslBatch!)}`,
      `  ratio CLI / openssl per chain                   ${(t.cli! / t.opensslPerFile!).toFixed(2)}  (target <= 1.0)`,
      `  ratio CLI / openssl batched                     ${(t.cli! / t.opensslBatch!).toFixed(2)}`,
    ];
    const bundle = join(repo, "action/dist/index.js");
    // The runner creates these files before a step starts.
    writeFileSync(join(dir, "output.txt"), "");
    writeFileSync(join(dir, "summary.md"), "");
    if (!existsSync(bundle)) return [...lines, "action bundle: action/dist/index.js is missing (npm run bundle)"];
    const bare = interleaved(5, {
      node: () => timeCommand(process.execPath, ["-e", ""]),
      bundle: () => timeCommand(process.execPath, [bundle], { cwd: dir, env: actionEnv(dir) }),
    });
    return [
      ...lines,
      `action bundle cold start (no certificate files), median of 5`,
      `  node action/dist/index.js  ${fmt(bare.bundle!)}   node -e ''  ${fmt(bare.node!)}   ratio ${(bare.bundle! / bare.node!).toFixed(2)}`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function actionEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    GITHUB_WORKSPACE: dir,
    GITHUB_EVENT_NAME: "push",
    GITHUB_OUTPUT: join(dir, "output.txt"),
    GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
    RUNNER_TEMP: dir,
    INPUT_MODE: "validate-certificates",
    INPUT_PATHS: "nothing-here/**",
    INPUT_CONFIG: ".github/onerecord-access.yml",
    "INPUT_VALIDATION-TIME": "",
    "INPUT_WARN-DAYS": "",
    "INPUT_CHANGED-ONLY": "false",
    "INPUT_GITHUB-TOKEN": "",
  };
}

export async function generate(dir: string): Promise<{ leaves: string[] }> {
  const notBefore = new Date("2026-01-01T00:00:00Z");
  const notAfter = new Date("2027-01-01T00:00:00Z");
  const rootKeys = await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"]);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=Bench Root CA",
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const interKeys = await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"]);
  const inter = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=Bench Issuing CA",
    issuer: root.subject,
    notBefore,
    notAfter,
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      // RFC 5280 §4.2.1.1/§4.2.1.2 (the judge's certificate-profile check, like openssl -x509_strict).
      await x509.SubjectKeyIdentifierExtension.create(interKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  writeFileSync(join(dir, "root.pem"), root.toString("pem"));
  writeFileSync(join(dir, "intermediate.pem"), inter.toString("pem"));
  mkdirSync(join(dir, "certificates/1"), { recursive: true });
  mkdirSync(join(dir, "leaves"));
  const leaves: string[] = [];
  const akid = await x509.AuthorityKeyIdentifierExtension.create(interKeys.publicKey);
  for (let i = 0; i < CHAINS; i++) {
    const keys = await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"]);
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: (1000 + i).toString(16),
      subject: `CN=device-${i}`,
      issuer: inter.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: interKeys.privateKey,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        akid,
      ],
    });
    const name = `device-${String(i).padStart(4, "0")}`;
    writeFileSync(join(dir, "certificates/1", `${name}.pem`), leaf.toString("pem") + "\n" + inter.toString("pem"));
    writeFileSync(join(dir, "leaves", `${name}.pem`), leaf.toString("pem"));
    leaves.push(`leaves/${name}.pem`);
  }
  return { leaves };
}
