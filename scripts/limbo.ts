/**
 * Runs the applicable cases of the C2SP x509-limbo suite (https://github.com/C2SP/x509-limbo)
 * through the certificate judge and prints how often it agrees with the expected result, per
 * group of cases, and (with --openssl) how often `openssl verify -x509_strict` agrees. Not a test:
 * the suite is not committed here; pass the path of a limbo.json you built or downloaded.
 *
 *   npx tsx scripts/limbo.ts path/to/limbo.json [--openssl] [--list-disagreements]
 *
 * Applicable: cases without the optional features the judge does not implement (CRLs, policy
 * constraints, the "pedantic" WebPKI profile checks, a max chain depth input). CLIENT cases are
 * judged as they are in production. SERVER cases are judged with the client-only findings
 * dropped (clientAuth EKU, deliverable device key) and the leaf's EKU checked for serverAuth
 * instead; the judge checks no host names, so SERVER cases that fail only on the peer name are
 * disagreements this script cannot avoid — read their rates as approximate.
 */
import "reflect-metadata";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { z } from "zod";
import {
  TrustStore,
  trustAnchorFromPem,
  validateCertificateBytes,
  type Finding,
  type TrustAnchorSource,
} from "../src/certificates/index.js";

const Testcase = z.object({
  id: z.string(),
  features: z.array(z.string()).default([]),
  validation_kind: z.enum(["CLIENT", "SERVER"]),
  trusted_certs: z.array(z.string()),
  untrusted_intermediates: z.array(z.string()),
  peer_certificate: z.string(),
  validation_time: z.string().nullable().default(null),
  expected_result: z.enum(["SUCCESS", "FAILURE"]),
  max_chain_depth: z.number().nullable().default(null),
});
type Testcase = z.infer<typeof Testcase>;
const Limbo = z.object({ version: z.literal(1), testcases: z.array(z.unknown()) });

const SKIPPED_FEATURES = new Set([
  "has-crl",
  "has-policy-constraints",
  "has-cert-policies",
  "pedantic-webpki-eku",
  "pedantic-webpki-subscriber-key",
  "pedantic-serial-number",
  "pedantic-public-suffix-wildcard",
  "pedantic-rfc5280",
  "max-chain-depth",
]);
const CLIENT_ONLY = new Set(["missing-client-auth", "undeliverable-key"]);
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

function applicable(tc: Testcase): boolean {
  return tc.max_chain_depth === null && !tc.features.some((f) => SKIPPED_FEATURES.has(f));
}

function judge(tc: Testcase): "SUCCESS" | "FAILURE" {
  const sources: TrustAnchorSource[] = [];
  for (const pem of tc.trusted_certs) {
    try {
      sources.push(trustAnchorFromPem(pem, "limbo"));
    } catch {
      // An anchor the judge cannot read anchors nothing.
    }
  }
  const file = Buffer.from([tc.peer_certificate, ...tc.untrusted_intermediates].map((p) => p.trim()).join("\n"));
  const at = tc.validation_time ? new Date(tc.validation_time) : new Date();
  const report = validateCertificateBytes(file, { path: tc.id, trust: TrustStore.fromSources(sources), at });
  let errors: Finding[] = report.errors;
  if (tc.validation_kind === "SERVER") {
    errors = errors.filter((e) => !CLIENT_ONLY.has(e.code));
    if (errors.length === 0 && !leafAllowsServerAuth(tc.peer_certificate)) return "FAILURE";
  }
  return errors.length === 0 ? "SUCCESS" : "FAILURE";
}

function leafAllowsServerAuth(pem: string): boolean {
  try {
    const eku = new x509.X509Certificate(pem).getExtension(x509.ExtendedKeyUsageExtension);
    return !eku || eku.usages.map(String).includes(SERVER_AUTH);
  } catch {
    return false;
  }
}

function openssl(tc: Testcase, dir: string): "SUCCESS" | "FAILURE" {
  const write = (name: string, pems: string[]) => {
    writeFileSync(join(dir, name), pems.map((p) => p.trim()).join("\n") + "\n");
    return join(dir, name);
  };
  const purpose = tc.validation_kind === "SERVER" ? "sslserver" : "sslclient";
  const args = ["verify", "-x509_strict", "-purpose", purpose, "-CAfile", write("roots.pem", tc.trusted_certs)];
  if (tc.validation_time) args.push("-attime", String(Math.floor(Date.parse(tc.validation_time) / 1000)));
  if (tc.untrusted_intermediates.length > 0)
    args.push("-untrusted", write("untrusted.pem", tc.untrusted_intermediates));
  args.push(write("leaf.pem", [tc.peer_certificate]));
  return spawnSync("openssl", args, { encoding: "utf8" }).status === 0 ? "SUCCESS" : "FAILURE";
}

interface Tally {
  cases: number;
  judge: number;
  openssl: number;
}

function main(argv: string[]): void {
  const path = argv.find((a) => !a.startsWith("--"));
  if (!path) {
    console.error("usage: tsx scripts/limbo.ts path/to/limbo.json [--openssl] [--list-disagreements]");
    process.exit(2);
  }
  const withOpenssl = argv.includes("--openssl");
  const list = argv.includes("--list-disagreements");
  const suite = Limbo.parse(JSON.parse(readFileSync(path, "utf8")));
  const cases = suite.testcases.map((t) => Testcase.parse(t));
  const dir = mkdtempSync(join(tmpdir(), "limbo-"));
  const tallies = new Map<string, Tally>();
  let skipped = 0;
  try {
    for (const tc of cases) {
      if (!applicable(tc)) {
        skipped++;
        continue;
      }
      const ours = judge(tc);
      const theirs = withOpenssl ? openssl(tc, dir) : undefined;
      for (const group of [`${tc.validation_kind} ${tc.id.split("::")[0]}`, `${tc.validation_kind} (all)`, "all"]) {
        const tally = tallies.get(group) ?? { cases: 0, judge: 0, openssl: 0 };
        tally.cases++;
        if (ours === tc.expected_result) tally.judge++;
        if (theirs === tc.expected_result) tally.openssl++;
        tallies.set(group, tally);
      }
      if (list && ours !== tc.expected_result) {
        const also =
          theirs === undefined ? "" : theirs === tc.expected_result ? ", openssl agrees" : ", openssl disagrees too";
        console.log(`disagrees: ${tc.id} (expected ${tc.expected_result}${also})`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${cases.length} cases, ${skipped} skipped (optional features the judge does not implement)`);
  const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;
  for (const [group, t] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    const other = withOpenssl ? `  openssl ${pct(t.openssl, t.cases)}` : "";
    console.log(`${group.padEnd(28)} ${String(t.cases).padStart(5)} cases  judge ${pct(t.judge, t.cases)}${other}`);
  }
}

main(process.argv.slice(2));
