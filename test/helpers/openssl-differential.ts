import "reflect-metadata";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateCertificateBytes, type ErrorFindingCode } from "../../src/certificates/index.js";
import { AT, pemFile, trustFor } from "./pki.js";
import { buildChain, type ChainSpec } from "./random-chains.js";

/**
 * The judge against `openssl verify -x509_strict -purpose sslclient` on generated chains. Every
 * disagreement must be a deliberate policy the README documents ("Where the judge and OpenSSL
 * differ"): the judge may be stricter for a stated reason, never more lenient. Used by the
 * one-defect sample in `npm test` (test/certificates/openssl-differential.test.ts) and by the
 * random corpus in `npm run test:corpora` (test/corpora/openssl-differential.corpus.ts).
 */

/** The deliberate differences: a project code OpenSSL does not share, and the spec that explains it. */
export const DELIBERATE: Partial<Record<ErrorFindingCode, { why: string; explains: (spec: ChainSpec) => boolean }>> = {
  "missing-client-auth": {
    why: "the project requires the clientAuth EKU on the leaf; OpenSSL takes an absent EKU as any purpose",
    explains: (s) => s.leaf.eku === null,
  },
  "weak-key": {
    why: "RSA under 2048 bits is refused; OpenSSL 3.0 at security level 1 accepts 1024",
    explains: (s) => [s.rootKey, s.leaf.key, ...s.intermediates.map((i) => i.key)].includes("rsa-1024"),
  },
  "weak-signature": {
    why: "SHA-1 signatures are refused below the root; OpenSSL 3.0 at security level 1 accepts them",
    explains: (s) => [s.leaf.hash, ...s.intermediates.map((i) => i.hash)].includes("SHA-1"),
  },
  "undeliverable-key": {
    why: "no token can be delivered to an Ed25519 device key; TLS itself would work",
    explains: (s) => s.leaf.key === "ed25519",
  },
  "ca-leaf": {
    why: "a device certificate must be an end-entity certificate; OpenSSL accepts a CA:TRUE leaf",
    explains: (s) => s.leaf.bc === "ca",
  },
  "key-usage": {
    why: "the leaf's key usage must allow digitalSignature; OpenSSL's sslclient purpose also takes keyAgreement",
    explains: (s) => s.leaf.ku === "key-agreement",
  },
};

export interface Outcome {
  spec: ChainSpec;
  project: ErrorFindingCode[];
  openssl: { ok: boolean; output: string };
}

function opensslVerify(files: { root: string; untrusted: string | undefined; leaf: string }) {
  const args = ["verify", "-x509_strict", "-purpose", "sslclient", "-attime", String(Math.floor(AT.getTime() / 1000))];
  args.push("-CAfile", files.root);
  if (files.untrusted) args.push("-untrusted", files.untrusted);
  args.push(files.leaf);
  const run = spawnSync("openssl", args, { encoding: "utf8" });
  // A verdict needs openssl to have run: a spawn that failed is an error, never a refusal.
  if (run.error) throw run.error;
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

/** Both verdicts on the chain of `spec`; its files are written under `workDir`. */
export async function judgeBoth(spec: ChainSpec, workDir: string): Promise<Outcome> {
  const chain = await buildChain(spec);
  const report = validateCertificateBytes(chain.file, { path: "device.pem", trust: trustFor(chain.root), at: AT });
  const base = join(workDir, String(spec.id));
  writeFileSync(`${base}-root.pem`, chain.root.pem);
  writeFileSync(`${base}-leaf.pem`, chain.leaf.pem);
  const untrusted = chain.intermediates.length > 0 ? `${base}-untrusted.pem` : undefined;
  if (untrusted) writeFileSync(untrusted, pemFile(...chain.intermediates));
  return {
    spec,
    project: [...new Set(report.errors.map((e) => e.code as ErrorFindingCode))].sort(),
    openssl: opensslVerify({ root: `${base}-root.pem`, untrusted, leaf: `${base}-leaf.pem` }),
  };
}

/** The disagreements that are faults (empty lists when there are none), and how often both agreed. */
export function compare(outcomes: readonly Outcome[]) {
  // Never "valid" where OpenSSL (the TLS stack) refuses.
  const lenient = outcomes
    .filter((o) => o.project.length === 0 && !o.openssl.ok)
    .map((o) => ({ spec: o.spec, openssl: o.openssl.output }));
  // Every stricter verdict is explained by a deliberate policy that applies to that chain.
  const unexplained = outcomes
    .filter((o) => o.project.length > 0 && o.openssl.ok)
    .filter((o) => !o.project.every((code) => DELIBERATE[code]?.explains(o.spec)))
    .map((o) => ({ spec: o.spec, project: o.project }));
  return {
    lenient,
    unexplained,
    agreeValid: outcomes.filter((o) => o.project.length === 0 && o.openssl.ok).length,
    agreeInvalid: outcomes.filter((o) => o.project.length > 0 && !o.openssl.ok).length,
  };
}
