/**
 * The allowlist generation, pure: reviewed input + frozen baseline + CCADB snapshot in,
 * roots.json out. Nothing here reads the running Node's root store, so every Node version
 * generates the same bytes; a wrong fingerprint, a renamed root or a silently dropped baseline
 * root is an error, not a different output.
 */
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { inspectCertificate, type CertificateFacts } from "../../src/certificates/inspect.js";
import type { AllowlistFile, AllowlistRootRecord, ClientAuthEnd } from "../../src/certificates/allowlist/types.js";
import type { Brand, RootInput } from "./input.js";

export const GENERATED_BY = "scripts/generate-allowlist.ts";

export interface GeneratorInput {
  brands: readonly Brand[];
  notes: Record<Brand, string>;
  roots: RootInput[];
  removed: AllowlistFile["removed"];
  notPinned: { fingerprintSha256: string; name: string; why: string }[];
  clientAuthEnds: Partial<Record<Brand, ClientAuthEnd>>;
  ccadbSource: string;
}

const fingerprint = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

export const baselineSchema = z.object({
  about: z.string(),
  source: z.string().min(1),
  frozen: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  roots: z.array(z.object({ subject: z.string(), fingerprintSha256: fingerprint, pem: z.string() })),
});
export type Baseline = z.infer<typeof baselineSchema>;

/** ../shared/ccadb/brand-roots.json: only the fields the generator reads. */
export const ccadbSchema = z.object({
  source: z.string(),
  roots: z.array(
    z.object({
      subject: z.string(),
      fingerprintSha256: fingerprint,
      notAfter: z.string(),
      key: z.string(),
      pem: z.string(),
    }),
  ),
});
export type CcadbSnapshot = z.infer<typeof ccadbSchema>;

export class GenerationError extends Error {}

export function generate(input: GeneratorInput, baseline: Baseline, ccadb: CcadbSnapshot): AllowlistFile {
  const ccadbByFingerprint = new Map(ccadb.roots.map((root) => [root.fingerprintSha256, root]));
  const baselinePems = baselineIndex(baseline);
  checkRemovals(input, baselinePems);
  for (const entry of input.notPinned) {
    if (!ccadbByFingerprint.has(entry.fingerprintSha256))
      throw new GenerationError(`NOT_PINNED "${entry.name}" (${entry.fingerprintSha256}) is not in the CCADB snapshot`);
    if (input.roots.some((root) => root.fingerprintSha256 === entry.fingerprintSha256))
      throw new GenerationError(`"${entry.name}" is both pinned and in NOT_PINNED`);
  }

  const baselineSource = `${baseline.source} (frozen baseline of ${baseline.frozen})`;
  const seen = new Set<string>();
  const roots = input.roots.map((root) => {
    if (seen.has(root.fingerprintSha256)) throw new GenerationError(`"${root.name}" is pinned twice`);
    seen.add(root.fingerprintSha256);
    const inCcadb = ccadbByFingerprint.get(root.fingerprintSha256);
    if (!inCcadb) throw new GenerationError(`"${root.name}" (${root.fingerprintSha256}) is not in the CCADB snapshot`);
    // A kept root is described from its own PEM; a carried one from the snapshot's, read in place.
    const pem = root.pem === "baseline" ? baselinePems.get(root.fingerprintSha256) : undefined;
    if (root.pem === "baseline" && pem === undefined)
      throw new GenerationError(`"${root.name}" is marked baseline but the baseline has no PEM for it`);
    const facts = certificateFacts(pem ?? inCcadb.pem, root);
    return record(root, facts, pem ?? null, input, root.facts.source === "ccadb" ? input.ccadbSource : baselineSource);
  });
  roots.sort(
    (a, b) => byText(a.brand, b.brand) || byText(a.name, b.name) || byText(a.fingerprintSha256, b.fingerprintSha256),
  );

  const brands = [...input.brands].sort(byText).map((brand) => {
    const members = roots.filter((root) => root.brands.includes(brand)).map((root) => root.fingerprintSha256);
    if (members.length === 0) throw new GenerationError(`brand ${brand} has no root`);
    return { brand, note: input.notes[brand], roots: members };
  });
  const removed = [...input.removed].sort((a, b) => byText(a.fingerprintSha256, b.fingerprintSha256));
  return {
    generatedBy: GENERATED_BY,
    sources: { baseline: baselineSource, ccadb: input.ccadbSource },
    brands,
    roots,
    removed,
  };
}

function baselineIndex(baseline: Baseline): Map<string, string> {
  const pems = new Map<string, string>();
  for (const root of baseline.roots) {
    const actual = new X509Certificate(root.pem).fingerprint256;
    if (actual !== root.fingerprintSha256)
      throw new GenerationError(`baseline ${root.subject}: its PEM hashes to ${actual}, not ${root.fingerprintSha256}`);
    pems.set(actual, root.pem);
  }
  return pems;
}

/** A baseline root leaves only through REMOVED, with a reason: never by being left out. */
function checkRemovals(input: GeneratorInput, baselinePems: Map<string, string>): void {
  const pinned = new Set(input.roots.map((root) => root.fingerprintSha256));
  for (const entry of input.removed) {
    if (pinned.has(entry.fingerprintSha256)) throw new GenerationError(`"${entry.name}" is both pinned and REMOVED`);
    if (entry.reason.trim().length === 0 || !/^\d{4}-\d{2}-\d{2}$/.test(entry.date))
      throw new GenerationError(`REMOVED "${entry.name}" needs a date (YYYY-MM-DD) and a reason`);
  }
  const removed = new Set(input.removed.map((entry) => entry.fingerprintSha256));
  for (const fingerprintSha256 of baselinePems.keys()) {
    if (!pinned.has(fingerprintSha256) && !removed.has(fingerprintSha256))
      throw new GenerationError(
        `baseline root ${fingerprintSha256} is neither pinned nor in REMOVED: removing a root is an explicit edit with a reason`,
      );
  }
}

function certificateFacts(pem: string, root: RootInput): CertificateFacts {
  const node = new X509Certificate(pem);
  if (node.fingerprint256 !== root.fingerprintSha256)
    throw new GenerationError(`"${root.name}": the certificate hashes to ${node.fingerprint256}`);
  const names = node.subject.split("\n");
  if (!names.includes(`CN=${root.name}`) && !names.includes(`OU=${root.name}`))
    throw new GenerationError(`"${root.name}" is not the name of ${root.fingerprintSha256} (${names.join(", ")})`);
  return inspectCertificate(node.raw);
}

function record(
  root: RootInput,
  facts: CertificateFacts,
  pem: string | null,
  input: GeneratorInput,
  factsSource: string,
): AllowlistRootRecord {
  const operator = root.brands[0];
  const clientAuthEnds =
    root.purpose === "client-authentication root" ? null : (input.clientAuthEnds[operator] ?? null);
  if (root.purpose !== "client-authentication root" && !clientAuthEnds)
    throw new GenerationError(`"${root.name}": no CLIENT_AUTH_ENDS entry for ${operator}`);
  return {
    name: root.name,
    subject: facts.subject,
    fingerprintSha256: root.fingerprintSha256,
    brand: operator,
    brands: [...root.brands].sort(byText),
    purpose: root.purpose,
    purposeBasis: root.purposeBasis,
    key: describeKey(facts.key),
    notAfter: facts.notAfter.toISOString(),
    programs: [...root.facts.programs].sort(byText),
    trustBits: root.facts.trustBits,
    factsSource,
    clientAuthEnds,
    carried: pem === null,
    pem,
  };
}

const CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

export function describeKey(key: CertificateFacts["key"]): string {
  if (key.type === "rsa") return `RSA ${key.bits ?? "?"}`;
  if (key.type === "ec") return `EC ${CURVES[key.curve ?? ""] ?? key.curve ?? "?"}`;
  return key.type;
}

export const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function serialize(data: AllowlistFile): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** What differs between the committed file and a regeneration, root by root, for the reviewer. */
export function differences(committed: AllowlistFile, fresh: AllowlistFile): string[] {
  const out: string[] = [];
  const key = (root: AllowlistRootRecord) => `${root.name} (${root.fingerprintSha256})`;
  const freshRoots = new Map(fresh.roots.map((root) => [root.fingerprintSha256, root]));
  const committedRoots = new Map((committed.roots ?? []).map((root) => [root.fingerprintSha256, root]));
  for (const root of committed.roots ?? []) {
    const other = freshRoots.get(root.fingerprintSha256);
    if (!other) out.push(`committed but not generated: ${key(root)}`);
    else if (JSON.stringify(root) !== JSON.stringify(other)) out.push(`differs: ${key(root)}`);
  }
  for (const root of fresh.roots)
    if (!committedRoots.has(root.fingerprintSha256)) out.push(`not committed: ${key(root)}`);
  for (const field of ["generatedBy", "sources", "brands", "removed"] as const)
    if (JSON.stringify(committed[field]) !== JSON.stringify(fresh[field])) out.push(`${field} differs`);
  return out;
}
