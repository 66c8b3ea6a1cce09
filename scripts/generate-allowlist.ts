/**
 * Generates the pinned CA allowlist, src/certificates/allowlist/roots.json, from a real root store:
 * the Mozilla-derived roots bundled with Node.js (`tls.rootCertificates`).
 *
 *   npx tsx scripts/generate-allowlist.ts           # rewrite roots.json
 *   npx tsx scripts/generate-allowlist.ts --check   # exit 1 if roots.json differs from the rules
 *
 * Roots are picked by the explicit, reviewable name rules below — never by a loose pattern — so a
 * root that a future store adds under a brand's organization is reported for review instead of
 * being trusted silently. The output pins each selected root by its SHA-256 fingerprint; the
 * validator trusts the pinned certificate, never a name.
 */
import "reflect-metadata"; // @peculiar/x509 resolves its parsers through tsyringe, which needs it
import { X509Certificate as NamedCertificate } from "@peculiar/x509";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { fileURLToPath } from "node:url";

const GENERATED_BY = "scripts/generate-allowlist.ts";
const OUTPUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/certificates/allowlist/roots.json");

// ---------------------------------------------------------------------------------------------
// Rules. Every given field must match the root's subject exactly (CN: its only CN; OU: one of its
// OUs; O: its only O). Some legacy roots have no CN and are named by their OU.
// ---------------------------------------------------------------------------------------------

interface RootName {
  cn?: string;
  ou?: string;
  o: string;
}

interface BrandRule {
  brand: string;
  note: string;
  roots: RootName[];
}

const DIGICERT = "DigiCert Inc";
const DIGICERT_G5 = "DigiCert, Inc."; // the G5 roots spell the organization differently

/**
 * The DigiCert roots that issue the GeoTrust, RapidSSL/thawte and "Secure Site" (formerly
 * VeriSign, then Symantec) products today, per the intermediate/root tables DigiCert and its
 * resellers publish (e.g. "GeoTrust TLS RSA CA G1" chains to DigiCert Global Root G2).
 * Shared by the VeriSign, GeoTrust and Symantec groups.
 */
const DIGICERT_LEGACY_BRAND_ROOTS: RootName[] = [
  // RSA hierarchy of the GeoTrust/Secure Site OV and DV intermediates (e.g. "GeoTrust TLS RSA CA G1").
  { cn: "DigiCert Global Root G2", o: DIGICERT },
  // ECC hierarchy of the same products (e.g. "GeoTrust TLS ECC CA G1").
  { cn: "DigiCert Global Root G3", o: DIGICERT },
  // 2006 root of the "GeoTrust RSA CA 2018"-style intermediates; root programs are retiring it for
  // server certificates (2026), it stays while the generating store carries it.
  { cn: "DigiCert Global Root CA", o: DIGICERT },
  // 2006 EV root of the "GeoTrust EV RSA CA 2018"-style intermediates; same retirement note.
  { cn: "DigiCert High Assurance EV Root CA", o: DIGICERT },
  // G5 hierarchy ("GeoTrust G5 TLS RSA4096 SHA384 2022 CA1").
  { cn: "DigiCert TLS RSA4096 Root G5", o: DIGICERT_G5 },
  // G5 ECC hierarchy ("GeoTrust G5 TLS ECC P-384 SHA384 2022 CA2").
  { cn: "DigiCert TLS ECC P384 Root G5", o: DIGICERT_G5 },
];

const LEGACY_NOTE =
  "Browsers and Node distrusted every Symantec-operated root (VeriSign, GeoTrust, thawte, RapidSSL, Symantec) in 2018 " +
  "after mis-issuance; DigiCert bought the business and re-issued the brand's products from its own roots. " +
  "This group therefore holds the DigiCert roots that issue the brand today; the old roots are deliberately not trusted.";

const BRAND_RULES: BrandRule[] = [
  {
    brand: "VeriSign",
    note: `VeriSign certificates became Symantec's, then DigiCert's ("Secure Site"). ${LEGACY_NOTE}`,
    roots: DIGICERT_LEGACY_BRAND_ROOTS,
  },
  {
    brand: "DigiCert",
    note: "DigiCert's own public roots. They also issue today's VeriSign, GeoTrust and Symantec brands.",
    roots: [
      ...DIGICERT_LEGACY_BRAND_ROOTS,
      // Client and identity certificates (e.g. "DigiCert Assured ID Client CA G2") chain here.
      { cn: "DigiCert Assured ID Root CA", o: DIGICERT },
      { cn: "DigiCert Assured ID Root G2", o: DIGICERT },
      { cn: "DigiCert Assured ID Root G3", o: DIGICERT },
      // DigiCert's 4096-bit general-purpose root.
      { cn: "DigiCert Trusted Root G4", o: DIGICERT },
    ],
  },
  {
    brand: "GeoTrust",
    note: `GeoTrust (and its RapidSSL/thawte lines) is issued by DigiCert. ${LEGACY_NOTE}`,
    roots: DIGICERT_LEGACY_BRAND_ROOTS,
  },
  {
    brand: "GlobalSign",
    note:
      'GlobalSign\'s roots. "GlobalSign ECC Root CA - R4" and "GlobalSign Root CA - R2" were sold to Google Trust ' +
      "Services in 2016 and are not GlobalSign's: they are not trusted.",
    roots: [
      // R3: the RSA root of GlobalSign's current TLS and client intermediates (e.g. "GlobalSign Atlas R3").
      { cn: "GlobalSign", ou: "GlobalSign Root CA - R3", o: "GlobalSign" },
      // R6: 4096-bit RSA root.
      { cn: "GlobalSign", ou: "GlobalSign Root CA - R6", o: "GlobalSign" },
      // R5: ECC P-384 root.
      { cn: "GlobalSign", ou: "GlobalSign ECC Root CA - R5", o: "GlobalSign" },
      // 2019 TLS-dedicated roots.
      { cn: "GlobalSign Root R46", o: "GlobalSign nv-sa" },
      { cn: "GlobalSign Root E46", o: "GlobalSign nv-sa" },
      // R1 (1998): retired by root programs for age, not distrusted; trusted while the store carries it.
      { cn: "GlobalSign Root CA", ou: "Root CA", o: "GlobalSign nv-sa" },
    ],
  },
  {
    brand: "Comodo",
    note:
      "Comodo CA was renamed Sectigo in 2018; its COMODO, USERTrust (The USERTRUST Network) and Sectigo roots all issue " +
      'Comodo/Sectigo certificates. "AAA Certificate Services" is trusted only while the generating store carries it.',
    roots: [
      { cn: "COMODO Certification Authority", o: "COMODO CA Limited" },
      { cn: "COMODO RSA Certification Authority", o: "COMODO CA Limited" },
      { cn: "COMODO ECC Certification Authority", o: "COMODO CA Limited" },
      // USERTrust: acquired by Comodo in 2005; most Sectigo TLS and client certificates chain here.
      { cn: "USERTrust RSA Certification Authority", o: "The USERTRUST Network" },
      { cn: "USERTrust ECC Certification Authority", o: "The USERTRUST Network" },
      // Sectigo's 2021 TLS-dedicated roots.
      { cn: "Sectigo Public Server Authentication Root R46", o: "Sectigo Limited" },
      { cn: "Sectigo Public Server Authentication Root E46", o: "Sectigo Limited" },
      // Comodo's 2004 root; retired by root programs for age, present in older stores.
      { cn: "AAA Certificate Services", o: "Comodo CA Limited" },
    ],
  },
  {
    brand: "GoDaddy",
    note:
      'GoDaddy issues under its own and its Starfield Technologies roots. "Starfield Services Root Certificate ' +
      'Authority - G2" belongs to Amazon Trust Services since 2015 and is not trusted.',
    roots: [
      { cn: "Go Daddy Root Certificate Authority - G2", o: "GoDaddy.com, Inc." },
      // Starfield is GoDaddy's second CA brand.
      { cn: "Starfield Root Certificate Authority - G2", o: "Starfield Technologies, Inc." },
      // 2004 Class 2 roots (no CN); retired by root programs for age, present in older stores.
      { ou: "Go Daddy Class 2 Certification Authority", o: "The Go Daddy Group, Inc." },
      { ou: "Starfield Class 2 Certification Authority", o: "Starfield Technologies, Inc." },
    ],
  },
  {
    brand: "Symantec",
    note: `Symantec sold its CA business to DigiCert in 2017. ${LEGACY_NOTE}`,
    roots: DIGICERT_LEGACY_BRAND_ROOTS,
  },
];

/**
 * Roots under a brand's organization that are deliberately left out. Anything else from these
 * organizations that no rule selects is printed as "unreviewed" so a store update gets a look.
 */
const EXCLUDED: { name: RootName; why: string }[] = [
  {
    name: { cn: "GlobalSign", ou: "GlobalSign ECC Root CA - R4", o: "GlobalSign" },
    why: "operated by Google Trust Services since 2016",
  },
  {
    name: { cn: "GlobalSign", ou: "GlobalSign Root CA - R2", o: "GlobalSign" },
    why: "operated by Google Trust Services since 2016",
  },
  {
    name: { cn: "Starfield Services Root Certificate Authority - G2", o: "Starfield Technologies, Inc." },
    why: "operated by Amazon Trust Services since 2015 (cross-signs the Amazon roots)",
  },
];

/** Organizations whose store roots deserve a reviewer's look when no rule selects them. */
const WATCHED_ORGANIZATIONS =
  /verisign|geotrust|symantec|thawte|rapidssl|digicert|globalsign|comodo|usertrust|sectigo|go ?daddy|starfield/i;

const DISTRUSTED_2018 = /verisign|geotrust|symantec|thawte|rapidssl/i;

// ---------------------------------------------------------------------------------------------
// Generation (pure: store in, allowlist out).
// ---------------------------------------------------------------------------------------------

export interface AllowlistRoot {
  subject: string;
  fingerprintSha256: string;
  notAfter: string;
  pem: string;
}

export interface AllowlistData {
  generatedBy: string;
  source: string;
  brands: { brand: string; note: string; roots: AllowlistRoot[] }[];
}

interface StoreRoot extends AllowlistRoot {
  cn: string[];
  ou: string[];
  o: string[];
}

interface Generation {
  data: AllowlistData;
  absent: { brand: string; name: string }[];
  excluded: { subject: string; fingerprintSha256: string; why: string }[];
  unreviewed: { subject: string; fingerprintSha256: string }[];
}

function readStoreRoot(pem: string): StoreRoot {
  const node = new X509Certificate(pem);
  const named = new NamedCertificate(node.raw);
  const field = (key: string) => named.subjectName.getField(key);
  const cn = field("CN");
  const ou = field("OU");
  const o = field("O");
  const c = field("C");
  const subject = [
    ...cn.map((v) => `CN=${escapeRdn(v)}`),
    ...ou.map((v) => `OU=${escapeRdn(v)}`),
    ...o.map((v) => `O=${escapeRdn(v)}`),
    ...c.map((v) => `C=${escapeRdn(v)}`),
  ].join(", ");
  return {
    subject,
    fingerprintSha256: node.fingerprint256,
    notAfter: named.notAfter.toISOString(),
    pem: node.toString(),
    cn,
    ou,
    o,
  };
}

/** RFC 4514 escaping, so a subject string can be split on ", " unambiguously. */
function escapeRdn(value: string): string {
  return value.replace(/[\\,+"<>;=]/g, (ch) => `\\${ch}`);
}

function matches(root: StoreRoot, name: RootName): boolean {
  const single = (values: string[], want: string) => values.length === 1 && values[0] === want;
  if (!single(root.o, name.o)) return false;
  if (name.cn !== undefined && !single(root.cn, name.cn)) return false;
  if (name.cn === undefined && root.cn.length > 0) return false;
  if (name.ou !== undefined && !root.ou.includes(name.ou)) return false;
  return true;
}

function label(name: RootName): string {
  return [name.cn, name.ou].filter((part) => part !== undefined).join(" / ");
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function generate(storePems: readonly string[], source: string): Generation {
  const store = storePems.map(readStoreRoot);
  const selected = new Set<string>();
  const absent: Generation["absent"] = [];

  const brands = BRAND_RULES.map((rule) => {
    const roots: AllowlistRoot[] = [];
    for (const name of rule.roots) {
      const found = store.filter((root) => matches(root, name));
      if (found.length === 0) absent.push({ brand: rule.brand, name: label(name) });
      for (const root of found) {
        if (DISTRUSTED_2018.test(root.o.join(" "))) {
          throw new Error(`rule "${label(name)}" selects a 2018-distrusted root: ${root.subject}`);
        }
        selected.add(root.fingerprintSha256);
        roots.push({
          subject: root.subject,
          fingerprintSha256: root.fingerprintSha256,
          notAfter: root.notAfter,
          pem: root.pem,
        });
      }
    }
    roots.sort((a, b) => byText(a.subject, b.subject) || byText(a.fingerprintSha256, b.fingerprintSha256));
    return { brand: rule.brand, note: rule.note, roots: dedupe(roots) };
  });
  brands.sort((a, b) => byText(a.brand, b.brand));

  const excluded: Generation["excluded"] = [];
  const unreviewed: Generation["unreviewed"] = [];
  for (const root of store) {
    if (selected.has(root.fingerprintSha256)) continue;
    const reason = EXCLUDED.find((entry) => matches(root, entry.name))?.why;
    const watched = WATCHED_ORGANIZATIONS.test(root.o.join(" ")) || WATCHED_ORGANIZATIONS.test(root.cn.join(" "));
    const distrusted = DISTRUSTED_2018.test(root.o.join(" "));
    const entry = { subject: root.subject, fingerprintSha256: root.fingerprintSha256 };
    if (reason) excluded.push({ ...entry, why: reason });
    else if (distrusted) excluded.push({ ...entry, why: "Symantec-operated root distrusted in 2018" });
    else if (watched) unreviewed.push(entry);
  }
  excluded.sort((a, b) => byText(a.subject, b.subject));
  unreviewed.sort((a, b) => byText(a.subject, b.subject));

  return { data: { generatedBy: GENERATED_BY, source, brands }, absent, excluded, unreviewed };
}

function dedupe(roots: AllowlistRoot[]): AllowlistRoot[] {
  return roots.filter((root, i) => i === 0 || roots[i - 1]?.fingerprintSha256 !== root.fingerprintSha256);
}

export function serialize(data: AllowlistData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// --check: compare the committed file with a fresh generation, limited to what this store shows.
// ---------------------------------------------------------------------------------------------

/**
 * Differences between the committed allowlist and a fresh generation. Another Node version ships
 * another store, so a committed root this store does not carry is only noted, never a difference;
 * but every committed PEM must still hash to its pinned fingerprint.
 */
export function compare(
  committed: AllowlistData,
  fresh: AllowlistData,
  storeFingerprints: ReadonlySet<string>,
): { differences: string[]; unchecked: string[] } {
  const differences: string[] = [];
  const unchecked = new Set<string>();
  if (committed.generatedBy !== fresh.generatedBy)
    differences.push(`generatedBy is "${committed.generatedBy}", expected "${fresh.generatedBy}"`);

  const key = (brand: string, fingerprint: string) => `${brand} ${fingerprint}`;
  const committedEntries = new Map<string, { brand: string; root: AllowlistRoot }>();
  for (const group of committed.brands) {
    if (!fresh.brands.some((g) => g.brand === group.brand)) differences.push(`unknown brand group "${group.brand}"`);
    for (const root of group.roots) {
      const actual = fingerprintOfPem(root.pem);
      if (actual !== root.fingerprintSha256)
        differences.push(`${group.brand}: ${root.subject}: pem hashes to ${actual}, pinned ${root.fingerprintSha256}`);
      committedEntries.set(key(group.brand, root.fingerprintSha256), { brand: group.brand, root });
      if (!storeFingerprints.has(root.fingerprintSha256)) unchecked.add(`${root.subject} (${root.fingerprintSha256})`);
    }
  }

  const freshEntries = new Map<string, AllowlistRoot>();
  for (const group of fresh.brands) {
    const old = committed.brands.find((g) => g.brand === group.brand);
    if (!old) differences.push(`brand group "${group.brand}" is missing`);
    else if (old.note !== group.note) differences.push(`${group.brand}: note differs`);
    for (const root of group.roots) {
      const k = key(group.brand, root.fingerprintSha256);
      freshEntries.set(k, root);
      const was = committedEntries.get(k)?.root;
      if (!was) differences.push(`${group.brand}: missing ${root.subject} (${root.fingerprintSha256})`);
      else
        for (const field of ["subject", "notAfter", "pem"] as const)
          if (was[field] !== root[field]) differences.push(`${group.brand}: ${root.subject}: ${field} differs`);
    }
  }
  for (const [k, { brand, root }] of committedEntries) {
    if (storeFingerprints.has(root.fingerprintSha256) && !freshEntries.has(k))
      differences.push(`${brand}: ${root.subject} (${root.fingerprintSha256}) is committed but no rule selects it`);
  }
  return { differences, unchecked: [...unchecked].sort(byText) };
}

function fingerprintOfPem(pem: string): string {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return "(unparseable)";
  }
}

// ---------------------------------------------------------------------------------------------
// Edge: read the store, write or check the file, tell the reviewer what happened.
// ---------------------------------------------------------------------------------------------

function report(generation: Generation): void {
  for (const group of generation.data.brands) {
    console.log(`${group.brand}: ${group.roots.length} root(s)`);
    for (const root of group.roots) console.log(`  ${root.subject}  ${root.fingerprintSha256}`);
  }
  if (generation.absent.length > 0) {
    console.log("\nNamed by a rule but not in this store (not trusted):");
    for (const { brand, name } of generation.absent) console.log(`  ${brand}: ${name}`);
  }
  if (generation.excluded.length > 0) {
    console.log("\nIn this store, deliberately not trusted:");
    for (const root of generation.excluded) console.log(`  ${root.subject}: ${root.why}`);
  }
  if (generation.unreviewed.length > 0) {
    console.log("\nREVIEW: roots of a watched organization that no rule selects or excludes:");
    for (const root of generation.unreviewed) console.log(`  ${root.subject}  ${root.fingerprintSha256}`);
  }
}

function main(argv: string[]): number {
  const unknown = argv.filter((arg) => arg !== "--check");
  if (unknown.length > 0) {
    console.error(`usage: tsx ${GENERATED_BY} [--check]   (unknown: ${unknown.join(" ")})`);
    return 2;
  }
  const generation = generate(rootCertificates, `Node.js ${process.version} tls.rootCertificates`);
  const missingBrands = generation.data.brands.filter((group) => group.roots.length === 0).map((group) => group.brand);
  if (missingBrands.length > 0) {
    console.error(`no root found for: ${missingBrands.join(", ")} — this store cannot produce the allowlist`);
    return 1;
  }

  if (!argv.includes("--check")) {
    writeFileSync(OUTPUT, serialize(generation.data));
    report(generation);
    console.log(
      `\nwrote ${path.relative(process.cwd(), OUTPUT)} from ${generation.data.source}; review the diff before committing`,
    );
    return 0;
  }

  if (!existsSync(OUTPUT)) {
    console.error(`${path.relative(process.cwd(), OUTPUT)} does not exist; run without --check`);
    return 1;
  }
  const committed = JSON.parse(readFileSync(OUTPUT, "utf8")) as AllowlistData;
  const storeFingerprints = new Set(rootCertificates.map((pem) => new X509Certificate(pem).fingerprint256));
  const { differences, unchecked } = compare(committed, generation.data, storeFingerprints);
  if (unchecked.length > 0) {
    console.log(`Not in ${generation.data.source}, not checked (committed from ${committed.source}):`);
    for (const line of unchecked) console.log(`  ${line}`);
  }
  if (generation.unreviewed.length > 0) {
    console.log("REVIEW: roots of a watched organization that no rule selects or excludes:");
    for (const root of generation.unreviewed) console.log(`  ${root.subject}  ${root.fingerprintSha256}`);
  }
  if (differences.length > 0) {
    console.error(`roots.json differs from what ${GENERATED_BY} generates on ${generation.data.source}:`);
    for (const line of differences) console.error(`  ${line}`);
    return 1;
  }
  console.log(`roots.json matches the rules for every root in ${generation.data.source}`);
  return 0;
}

// Run only when executed, so the pure functions above can be imported (e.g. by a test).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
