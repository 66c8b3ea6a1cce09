import { parseArgs } from "node:util";
import { allowlistBrands, allowlistSource, type RootProfile } from "../../certificates/allowlist/index.js";
import { brandLabel } from "../../certificates/brand-label.js";
import { displaySafe } from "../../certificates/names.js";
import { isShowableOptionValue } from "../../tokens/token-input.js";
import { parseCommandArgs } from "../args.js";
import { EXIT_INVALID, EXIT_OK, reportCommandError, type CliIO } from "../io.js";
import { RUN_CLI } from "../program.js";

const NAME = "onerecord-access roots";
const USAGE = `usage: ${RUN_CLI} roots [--json] [--brand NAME]

Lists the approved CA roots ("is my CA approved?"): per root its brand, name, key, purpose,
expiry and SHA-256, and whether your certificate file must carry it as its last block (the
client-authentication roots, which this tool pins by fingerprint but does not ship).

  --brand NAME   only the roots that issue this brand's certificates today (VeriSign, DigiCert,
                 GeoTrust, GlobalSign, Comodo, GoDaddy, Symantec; Sectigo, Starfield, thawte
                 and RapidSSL are accepted as their current names)
  --json         machine-readable output

exit codes: 0 listed, 1 the brand is not approved, 2 usage
`;

/** Current and product names of the approved brands, lower-case → brand group. */
const ALIASES: Record<string, string> = {
  sectigo: "Comodo",
  usertrust: "Comodo",
  starfield: "GoDaddy",
  "go daddy": "GoDaddy",
  thawte: "GeoTrust",
  rapidssl: "GeoTrust",
};

/** Reads only the bundled allowlist: nothing to wait for, but every command has this shape. */
export function run(argv: string[], io: CliIO): Promise<number> {
  return Promise.resolve(listRoots(argv, io));
}

function listRoots(argv: string[], io: CliIO): number {
  try {
    const { values } = parseCommandArgs(argv, (base) =>
      parseArgs({
        ...base,
        allowPositionals: false,
        options: {
          json: { type: "boolean", default: false },
          brand: { type: "string" },
          help: { type: "boolean", short: "h" },
        },
      }),
    );
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    const selection = select(values.brand);
    if (!selection) {
      io.stderr(`${NAME}: ${notApproved(values.brand ?? "")}\n`);
      return EXIT_INVALID;
    }
    io.stdout(values.json ? renderJson(selection) : renderText(selection));
    return EXIT_OK;
  } catch (error) {
    return reportCommandError(NAME, USAGE, error, io);
  }
}

interface Selection {
  brand: string | null;
  note: string | null;
  roots: RootProfile[];
}

function select(brand: string | undefined): Selection | undefined {
  const groups = allowlistBrands();
  if (brand === undefined) {
    const roots = new Map(groups.flatMap((group) => group.roots).map((root) => [root.fingerprintSha256, root]));
    const sorted = [...roots.values()].sort((a, b) => a.brand.localeCompare(b.brand) || a.name.localeCompare(b.name));
    return { brand: null, note: null, roots: sorted };
  }
  const wanted = brand.trim().toLowerCase();
  const name = ALIASES[wanted] ?? groups.find((group) => group.brand.toLowerCase() === wanted)?.brand;
  const group = groups.find((g) => g.brand === name);
  return group && { brand: group.brand, note: group.note, roots: group.roots };
}

function notApproved(brand: string): string {
  // The value is shown only when it looks like a name: a pasted key or token never comes back.
  const looksLikeName = /^[\p{L}\p{N} .,'&()-]{1,40}$/u.test(brand) && isShowableOptionValue(brand);
  const shown = looksLikeName ? `"${displaySafe(brand)}"` : "that brand (not shown)";
  const approved = allowlistBrands()
    .map((group) => group.brand)
    .join(", ");
  return (
    `${shown} is not an approved brand (approved: ${approved}). ` +
    "A CA that is not listed is added by OneRecord support through certificates.extraCAs (docs/allowlist.md)."
  );
}

function renderJson(selection: Selection): string {
  const out = { brand: selection.brand, sources: allowlistSource(), roots: selection.roots };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function renderText(selection: Selection): string {
  const head = selection.brand ? `${selection.brand}: ${selection.note}\n\n` : "";
  const blocks = selection.roots.map((root) => {
    const rows: Array<[string, string]> = [
      ["brand", brandLabel({ brand: root.brand, rootPurpose: root.purpose })],
      ["serves", root.brands.join(", ")],
      ["key", root.key],
      ["expires", root.notAfter.slice(0, 10)],
      ["sha-256", root.fingerprintSha256],
      ["programs", `${root.programs.join(", ")} (${root.trustBits})`],
      [
        "in the file",
        root.carried
          ? "required: put this root at the end of the certificate file (your CA publishes it)"
          : "not needed",
      ],
    ];
    if (root.clientAuthEnds)
      rows.push(["renewal", `client-authentication certificates under this root end ${root.clientAuthEnds.date}`]);
    const width = Math.max(...rows.map(([key]) => key.length));
    return `${root.name}\n${rows.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`).join("\n")}\n`;
  });
  const count = `${selection.roots.length} root(s); facts: ${allowlistSource().ccadb}\n`;
  return `${head}${blocks.join("\n")}\n${count}`;
}
