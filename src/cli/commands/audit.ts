import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { auditLedger } from "../../audit/audit-ledger.js";
import { auditExport, type AuditExport } from "../../audit/export-json.js";
import { rowsCsv } from "../../audit/export-csv.js";
import { auditHtml } from "../../audit/export-html.js";
import { keyWindows } from "../../audit/keys.js";
import { ledgerFailures } from "../../audit/ledger-checks.js";
import { verifyExport } from "../../audit/verify-export.js";
import { OneRecordError } from "../../errors.js";
import { parseCommandArgs } from "../args.js";
import { githubClient, repoOption } from "../github-client.js";
import { EXIT_INVALID, EXIT_OK, reportCommandError, type CliIO } from "../io.js";
import { RUN_CLI } from "../program.js";
import { VERSION } from "../version.js";
import { readAuditInputs } from "../audit/read-github.js";

const NAME = "onerecord-access audit";
const USAGE = `usage: ${RUN_CLI} audit --repo OWNER/NAME [--request N] [--since DATE] [--format json|csv|html] [--out FILE] [--app APP[bot]]
       ${RUN_CLI} audit verify EXPORT.json --jwks record-jwks.json

The first form reads every request's signed ledger file, every version of it, from GitHub
(GITHUB_TOKEN; GITHUB_API_URL for GitHub Enterprise), verifies each version (signed by a key
records.jwks published at the time, made by the app, chained to the one before it, no replay)
and the rules on replay (approvals by a reviewer who is not the requester, bound to the form
version in effect; certificates only from merged pull requests; tokens only after approval and for
recorded certificates; revocations after what they revoke), and writes one row per event:
  json  everything, with every signed version, for \`audit verify\` (schema/audit-export.schema.json)
  csv   the rows, for a spreadsheet
  html  a printable, self-contained report
Failures are printed (request, version, rule, reason) and the export is still written.

\`audit verify\` re-checks a JSON export with no GitHub access, trusting only the keys of
--jwks: an export edited by hand fails with the place it was changed.

exit codes: 0 verified, 1 a failure (or an edited export), 2 usage
`;

export interface AuditIO extends CliIO {
  env?: Record<string, string | undefined>;
  /** For tests: the fetch GitHub is reached with. */
  fetch?: typeof fetch;
  /** For tests and the demo: the export's time. */
  now?: () => Date;
}

export async function run(argv: string[], io: AuditIO): Promise<number> {
  try {
    if (argv[0] === "verify") return await runVerify(argv.slice(1), io);
    const { values, positionals } = parseCommandArgs(argv, (base) =>
      parseArgs({
        ...base,
        options: {
          repo: { type: "string" },
          request: { type: "string" },
          since: { type: "string" },
          format: { type: "string" },
          out: { type: "string" },
          app: { type: "string" },
          help: { type: "boolean", short: "h" },
        },
      }),
    );
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (positionals.length) throw new OneRecordError("usage", "no arguments besides the options");
    const settings = auditSettings(values);
    const octokit = githubClient(io.env ?? process.env, io.fetch);
    const inputs = await readAuditInputs(octokit, settings.repo, { request: settings.request, app: settings.app });
    const keys = keyWindows(inputs.configVersions);
    const audit = await auditLedger(inputs.histories, keys, inputs.repository, settings.since);
    audit.failures.unshift(
      ...ledgerFailures({ rules: inputs.rules, settings: inputs.ledgerSettings, keys, unrecorded: inputs.unrecorded }),
    );
    const exported = auditExport(audit, {
      repository: inputs.repository,
      ledger: { repository: `${inputs.ledger.owner}/${inputs.ledger.repo}`, branch: inputs.ledger.branch },
      producedAt: (io.now?.() ?? new Date()).toISOString(),
      producedBy: `onerecord-access ${VERSION}`,
      since: settings.since,
      keys,
    });
    await write(settings.out, render(exported, settings.format), io);
    return report(exported, io);
  } catch (error) {
    return reportCommandError(NAME, USAGE, error, io);
  }
}

interface AuditSettings {
  repo: { owner: string; repo: string };
  request: number | undefined;
  since: string | null;
  format: "json" | "csv" | "html";
  out: string | undefined;
  app: string | undefined;
}

/** Every option checked once, into one settings object (the token is githubClient's, from the environment). */
function auditSettings(values: Record<string, string | boolean | undefined>): AuditSettings {
  const repo = repoOption(values.repo);
  const request = values.request === undefined ? undefined : Number(values.request);
  if (request !== undefined && (!Number.isSafeInteger(request) || request <= 0))
    throw new OneRecordError("usage", "--request takes an issue number");
  const since = typeof values.since === "string" ? values.since : null;
  if (since !== null && Number.isNaN(Date.parse(since)))
    throw new OneRecordError("usage", "--since takes a date (ISO 8601)");
  const format = String(values.format ?? "json");
  if (format !== "json" && format !== "csv" && format !== "html")
    throw new OneRecordError("usage", "--format is json, csv or html");
  return {
    repo,
    request,
    since: since === null ? null : new Date(since).toISOString(),
    format,
    out: typeof values.out === "string" ? values.out : undefined,
    app: typeof values.app === "string" ? values.app : undefined,
  };
}

function render(exported: AuditExport, format: AuditSettings["format"]): string {
  if (format === "csv") return rowsCsv(exported.rows);
  if (format === "html") return auditHtml(exported);
  return `${JSON.stringify(exported, null, 2)}\n`;
}

async function write(out: string | undefined, text: string, io: CliIO): Promise<void> {
  if (!out) {
    io.stdout(text);
    return;
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);
}

/** One line per failure on stderr, then the verdict; exit 1 on any failure. */
function report(exported: AuditExport, io: CliIO): number {
  const versions = exported.requests.reduce((n, r) => n + r.versions.length, 0);
  for (const f of exported.failures)
    io.stderr(
      `${f.request === null ? "the ledger" : `request #${f.request}`}${f.version ? `, version ${f.version.slice(0, 12)}` : ""}: ${f.rule}: ${f.reason}\n`,
    );
  const what = `${exported.requests.length} request(s), ${versions} version(s), ${exported.rows.length} row(s)`;
  io.stderr(
    exported.failures.length
      ? `audit FAILED: ${exported.failures.length} failure(s); ${what}\n`
      : `audit verified: ${what}\n`,
  );
  return exported.failures.length ? EXIT_INVALID : EXIT_OK;
}

async function runVerify(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, (base) =>
    parseArgs({ ...base, options: { jwks: { type: "string" }, help: { type: "boolean", short: "h" } } }),
  );
  if (values.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1 || !values.jwks)
    throw new OneRecordError("usage", "give one EXPORT.json and --jwks record-jwks.json");
  const exported = await readJson(positionals[0]!, "the export");
  const jwks = await readJson(values.jwks, "--jwks");
  let result: Awaited<ReturnType<typeof verifyExport>>;
  try {
    result = await verifyExport(exported, jwks);
  } catch (error) {
    // A JWKS the verifier refuses is the --jwks file's problem: say so by its option.
    if (error instanceof OneRecordError && error.field === "records.jwks")
      throw new OneRecordError("input-invalid", `--jwks: ${error.message.replace(/^records\.jwks: /, "")}`);
    throw error;
  }
  for (const p of result.problems) io.stderr(`${p.place}: ${p.reason}\n`);
  io.stderr(
    result.ok
      ? `export verified: every version and row of the ${result.export?.requests.length ?? 0} request(s) it holds matches their signed versions, under the keys of --jwks. Not checked offline: who made each commit, when each key was published, whether a request was left out or newer versions exist (run audit online for those).\n`
      : `export FAILED: ${result.problems.length} problem(s)\n`,
  );
  return result.ok ? EXIT_OK : EXIT_INVALID;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new OneRecordError("io-error", `${what}: cannot read ${path}${typeof code === "string" ? ` (${code})` : ""}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new OneRecordError("input-invalid", `${what}: not JSON`);
  }
}
