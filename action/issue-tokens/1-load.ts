import type { AccessConfig } from "../../src/config/schema.js";
import {
  ledgerFilePath,
  verifyLedgerHistory,
  verifyRecordFile,
  type AccessRecord,
  ledgerProtectionProblem,
  madeBy,
  type HistoryFailureCode,
  type RecordSubject,
} from "../../src/record/index.js";
import type { RunContext } from "../context.js";
import { getIssue, type Octokit, type RequestIssue } from "../github.js";
import { copyAmongRead } from "../../src/record/ledger-history.js";
import {
  describe,
  LedgerReader,
  readFullHistory,
  readLedgerFile,
  readLedgerHistory,
  readLedgerRules,
  type LedgerHistoryRead,
  type LedgerLocation,
  type LedgerRead,
} from "../ledger.js";

/** Why there is no record to decide on; each is a refusal code of the same name. */
export type LookupFailure = "records-unconfigured" | "ledger-unprotected" | "no-record" | "record-unverified";

export type RecordLookup =
  | { found: true; record: AccessRecord; kid: string; source: string }
  | { found: false; code: LookupFailure; reason: string };

export interface LoadedRequest {
  issue: RequestIssue;
  record: RecordLookup;
}

/** Where the ledger is read, and with which client (a separate ledger repository may need its own token). */
export interface LedgerAccess {
  octokit: Octokit;
  records: Pick<AccessConfig["records"], "jwks" | "branch" | "repository">;
}

/** Where the configuration publishes the record keys (docs/app.md "Keys and rotation"). */
export const RECORDS_JWKS_DOCS = "docs/app.md#keys-and-rotation";

/**
 * Step 1 (the API edge): the request issue and the app's signed record, read from the ledger file
 * at the head of the ledger branch, verified with `records.jwks`, and checked against the file's
 * recent history for a replayed old version. Neither labels nor comments
 * are read: a label is a view anyone with triage rights can change, and any comment, the app's
 * status comment included, can be edited by anyone with write access.
 */
export async function loadRequest(
  octokit: Octokit,
  context: RunContext,
  request: number,
  ledger: LedgerAccess,
): Promise<LoadedRequest> {
  const issue = await getIssue(octokit, context, request);
  const subject = { repository: `${context.owner}/${context.repo}`, issue: request };
  const { jwks } = ledger.records;
  if (!jwks) return { issue, record: unconfigured() };
  const reader = new LedgerReader(ledger.octokit, ledgerLocation(ledger.records, context));
  const unprotected = await judgeProtection(reader);
  if (unprotected) return { issue, record: unprotected };
  const read = await readLedgerFile(reader, request);
  const head = await judgeLedger(read, jwks, subject, reader.at);
  if (!head.found || read.kind !== "file") return { issue, record: head };
  const history = await readLedgerHistory(reader, request, read);
  const readAll = () => readFullHistory(reader, request, read.commit);
  return { issue, record: await judgeHistory(head, read.text, history, jwks, subject, readAll) };
}

/**
 * The ledger's protection, a precondition (src/record/ledger-protection.ts): a branch that can be
 * deleted or force-pushed back to an older genuine commit could hand this step a rejected
 * request's earlier record, so nothing is issued without the ruleset. Null when it is in force.
 */
async function judgeProtection(reader: LedgerReader): Promise<RecordLookup | null> {
  const { at } = reader;
  const read = await readLedgerRules(reader);
  const problem = read.ok
    ? ledgerProtectionProblem(read.rules, at)
    : `the rules of the ledger branch ${at.branch} of ${at.owner}/${at.repo} cannot be read (HTTP ${read.status}); give the workflow a records-token that can read that repository`;
  return problem
    ? { found: false, code: "ledger-unprotected", reason: `${problem}; nothing is issued until then` }
    : null;
}

/** `records.repository` when set, else this repository; always `records.branch`. */
export function ledgerLocation(records: LedgerAccess["records"], context: RunContext): LedgerLocation {
  const [owner, repo] = records.repository ? records.repository.split("/") : [context.owner, context.repo];
  return { owner: owner!, repo: repo!, branch: records.branch };
}

/**
 * What was read, judged: a file is a record only when `verifyRecordFile` accepts it for this very
 * repository and issue. A refusal names the verification code and a fixed description, never
 * anything from the file (the job summary and the log are public to the repository).
 */
export async function judgeLedger(
  read: LedgerRead,
  jwks: unknown,
  subject: RecordSubject,
  at: LedgerLocation,
): Promise<RecordLookup> {
  const where = describe(at, ledgerFilePath(subject.issue));
  switch (read.kind) {
    case "no-branch":
      return missing(
        `the ledger branch ${at.branch} does not exist in ${at.owner}/${at.repo}${elsewhere(at, subject) ? " (or the token cannot read that repository: give the workflow a records-token that can)" : ""}`,
      );
    case "no-file":
      return missing(`there is no file ${where}`);
    case "too-large":
      return unverified(where, "too-large");
    case "file": {
      const verdict = await verifyRecordFile(read.text, jwks, subject);
      if (!verdict.ok) return unverified(where, verdict.code);
      return { found: true, record: verdict.record, kid: verdict.kid, source: where };
    }
  }
}

/** Whether the ledger is in another repository than the request (GITHUB_TOKEN reads only its own). */
function elsewhere(at: LedgerLocation, subject: RecordSubject): boolean {
  return `${at.owner}/${at.repo}`.toLowerCase() !== subject.repository.toLowerCase();
}

/**
 * A head that verifies may still be a **replay**: someone who can push cannot sign, but can commit
 * a copy of an older genuine version (rolling the request back past a `/reject`). Two checks:
 * - who made the head's commit: the account the signed record names as its `writer` (the app's
 *   bot), with a signature GitHub verified — a copy committed by anyone else is refused, however
 *   old the version it copies (a known content is not a known commit);
 * - the file's recent history (newest LEDGER_HISTORY_LIMIT versions), judged by
 *   `verifyLedgerHistory` as the app and an auditor judge it: the head must be its valid newest
 *   version, and the very text verified above (else the ledger moved while it was read: run again).
 *   A partial history (the versions that could be the head's copy, action/ledger.ts) is judged
 *   the same; when an older version read is a valid copy of the head, whether that is a replay
 *   depends on the versions between, and every version is read (`readAll`) and judged.
 */
export async function judgeHistory(
  head: Extract<RecordLookup, { found: true }>,
  headText: string | undefined,
  history: LedgerHistoryRead,
  jwks: unknown,
  subject: RecordSubject,
  readAll?: () => Promise<LedgerHistoryRead>,
): Promise<RecordLookup> {
  const newest = history.versions[0];
  if (!newest || newest.text !== headText || history.head?.sha !== newest.commit)
    return unverified(head.source, "moved");
  if (!head.record.writer) return unverified(head.source, "no-writer");
  if (!madeBy(history.head, head.record.writer)) return unverified(head.source, "not-by-app");
  const verdicts = await verifyLedgerHistory(history.versions, jwks, subject);
  if (history.partial && copyAmongRead(history.versions, verdicts)) {
    if (!readAll) return unverified(head.source, "unread");
    return judgeHistory(head, headText, await readAll(), jwks, subject);
  }
  const verdict = verdicts.versions[0];
  if (verdict && !verdict.ok) return unverified(head.source, verdict.code);
  return head;
}

function unconfigured(): RecordLookup {
  return {
    found: false,
    code: "records-unconfigured",
    reason: `the configuration publishes no record keys: configure records.jwks in the configuration file on the default branch (${RECORDS_JWKS_DOCS}); without them no record can be verified`,
  };
}

function missing(why: string): RecordLookup {
  return { found: false, code: "no-record", reason: `${why}; the app writes every request it accepts there` };
}

/** The codes of the file's verification and of its history, and one of this step's own. */
type VerificationCode = HistoryFailureCode | "moved" | "no-writer" | "not-by-app";

/** One line per verification code (src/record/signature.ts, ledger-history.ts), in words that quote nothing of the file. */
const WHY: Record<VerificationCode, string> = {
  missing: "the file was deleted",
  unread: "it was not read: newer versions used up the read's budget",
  replayed: "it is a copy of an older version of the record (a rollback)",
  moved: "the ledger changed while it was read; run the workflow again",
  "no-writer":
    "it was written before records named the account that commits them; comment /status on the request so the app writes a version that does, then run the workflow again",
  "not-by-app":
    "the commit that put it there was not made by the app (a copy of a genuine version committed by someone else)",
  "too-large": "it is larger than any record the app writes",
  "not-json": "it is not JSON text",
  "not-jws": "it is not a flattened JWS",
  "bad-header": "its protected header is not the app's",
  "wrong-type": "it is a JWS of another type than a record",
  "bad-algorithm": "it is signed with an algorithm records never use",
  "unknown-key": "it is signed with a key that is not in records.jwks",
  "key-mismatch": "the key it names in records.jwks does not fit its algorithm or kid",
  "bad-signature": "its signature does not verify: the signed content was changed",
  "not-a-record": "its signed content is not a record",
  "foreign-record": "it is the record of another repository or issue",
};

function unverified(where: string, code: VerificationCode): RecordLookup {
  return {
    found: false,
    code: "record-unverified",
    reason: `${where} does not verify (${code}): ${WHY[code]}. The record was changed outside the app; nothing is issued until the app has written a valid version`,
  };
}
