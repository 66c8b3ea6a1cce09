import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { OneRecordError } from "../../errors.js";
import { reportHtml, reportMarkdown } from "../../operator/render.js";
import { operatorReport } from "../../operator/view.js";
import { parseCommandArgs } from "../args.js";
import { githubClient, repoOption } from "../github-client.js";
import { readHeads } from "../audit/read-heads.js";
import { EXIT_OK, reportCommandError, type CliIO } from "../io.js";
import { RUN_CLI } from "../program.js";

const NAME = "onerecord-access report";
const USAGE = `usage: ${RUN_CLI} report --repo OWNER/NAME [--format html|md|json] [--out FILE] [--days N]

The operator's view: every request with its stage, who it waits on (the customer, reviewers, a
maintainer to run a workflow) and since when, its devices, what ends or is due for the access
review within --days (30), what was revoked; the oldest wait first. Read from the signed records
on the ledger branch (GITHUB_TOKEN with read access; GITHUB_API_URL for GitHub Enterprise); a
record that does not verify is listed, not judged.

exit codes: 0 written, 1 GitHub or a record refused the read, 2 usage
`;

export interface ReportIO extends CliIO {
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** For tests: the report's time. */
  now?: () => Date;
}

export async function run(argv: string[], io: ReportIO): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(argv, (base) =>
      parseArgs({
        ...base,
        options: {
          repo: { type: "string" },
          format: { type: "string" },
          out: { type: "string" },
          days: { type: "string" },
          help: { type: "boolean", short: "h" },
        },
      }),
    );
    if (values.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (positionals.length) throw new OneRecordError("usage", "no arguments besides the options");
    const repo = repoOption(values.repo);
    const format = values.format ?? "md";
    if (format !== "md" && format !== "html" && format !== "json")
      throw new OneRecordError("usage", "--format is md, html or json");
    const days = Number(values.days ?? 30);
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new OneRecordError("usage", "--days is 1 to 365");
    const octokit = githubClient(io.env ?? process.env, io.fetch);
    const heads = await readHeads(octokit, repo);
    const report = operatorReport(heads.records, heads.unreadable, {
      at: (io.now?.() ?? new Date()).toISOString(),
      windowDays: days,
      checklistItems: heads.config.checklist,
    });
    const text =
      format === "html"
        ? reportHtml(report)
        : format === "json"
          ? `${JSON.stringify(report, null, 2)}\n`
          : reportMarkdown(report);
    if (values.out) {
      await mkdir(dirname(values.out), { recursive: true });
      await writeFile(values.out, text);
    } else io.stdout(text);
    return EXIT_OK;
  } catch (error) {
    return reportCommandError(NAME, USAGE, error, io);
  }
}
