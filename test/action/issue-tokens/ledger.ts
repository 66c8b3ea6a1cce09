import nock from "nock";
import { gitBlobSha } from "../../../src/record/git-blob.js";
import { ledgerFileText, signRecord, type AccessRecord } from "../../../src/record/index.js";
import { loadRecordSigningKey, type RecordSigningKey } from "../../../src/record/record-signing-key.js";
import { signingSecret } from "../../helpers/pki.js";
import { ledgerCommit } from "./fixtures.js";

/**
 * The signed ledger as the token workflow reads it: record keys generated at test time (never a
 * committed key), files signed exactly as the app signs them, and the configuration lines that
 * publish the public key set.
 */
export const LEDGER_BRANCH = "onerecord-access/records";

/** A fresh record key (ES256 by default): the app's RECORD_SIGNING_KEY stand-in. */
export async function recordKey(alg: "ES256" | "EdDSA" = "ES256"): Promise<RecordSigningKey> {
  return loadRecordSigningKey(signingSecret(alg).pem);
}

/** `records/<issue>.json` as the app writes it: the record signed, as indented flattened JWS text. */
export async function ledgerText(record: AccessRecord, key: RecordSigningKey): Promise<string> {
  return ledgerFileText(await signRecord(record, key));
}

/** The ledger text with one character of the signed payload changed (a tampered record). */
export function tamperPayload(text: string): string {
  const file = JSON.parse(text) as { protected: string; payload: string; signature: string };
  const i = Math.floor(file.payload.length / 2);
  const swapped = file.payload[i] === "A" ? "B" : "A";
  return JSON.stringify({ ...file, payload: `${file.payload.slice(0, i)}${swapped}${file.payload.slice(i + 1)}` });
}

/** `records.jwks` as the parsed configuration holds it: the public keys of these record keys. */
export function jwksOf(...keys: RecordSigningKey[]): { keys: Array<Record<string, unknown>> } {
  return { keys: keys.flatMap((k) => k.jwks.keys.map((jwk) => ({ ...jwk }))) };
}

/** `records:` of .github/onerecord-access.yml publishing these keys (JSON is YAML flow syntax). */
export function recordsConfig(keys: RecordSigningKey[], extra: Record<string, string> = {}): string[] {
  return [
    "records:",
    `  jwks: ${JSON.stringify(jwksOf(...keys))}`,
    ...Object.entries(extra).map(([k, v]) => `  ${k}: ${v}`),
  ];
}

/** A commit id of the mocked ledger: version `n` (1 the oldest). */
export const ledgerSha = (n: number) => n.toString(16).padStart(40, "c");

export interface MockedLedger {
  /** The head's text at its commit: done once the workflow read the file. */
  head: nock.Scope;
  /** The GraphQL listing of the versions (blob ids and sizes, no text). */
  listing: nock.Scope;
  /** The commits whose text was fetched (contents GET by commit sha), in order, the head's included. */
  fetched: string[];
}

/**
 * The ledger file as the token workflow reads it, mocked with nock at `api`
 * (src/record/ledger-reader.ts): the file's commits (newest first; the head's made by `headBy`),
 * the text at each commit (raw; `null`: the commit deleted the file), and the GraphQL listing of
 * its versions (each commit with the file's blob id and size). `history` is newest first: its
 * first entry is the head as listed, `head` the text read at the head commit (the same, unless the
 * ledger moved). Every route is optional: a refusal before the history reads none of it.
 */
export function mockLedgerFile(
  api: string,
  repository: string,
  issue: number,
  options: {
    head: string;
    history?: Array<string | null>;
    headBy?: Record<string, unknown>;
    reqheaders?: Record<string, string>;
    /** The head's read may not happen either (a test that refuses before the ledger). */
    optional?: boolean;
  },
): MockedLedger {
  const history = options.history ?? [options.head];
  const shas = history.map((_, i) => ledgerSha(history.length - i));
  const scope = () => nock(api, options.reqheaders ? { reqheaders: options.reqheaders } : {});
  const file = `/repos/${repository}/contents/records%2F${issue}.json`;
  const raw = { "content-type": "application/vnd.github.raw; charset=utf-8" };
  const fetched: string[] = [];
  const commits = shas.map((sha, i) => (i === 0 && options.headBy ? { ...options.headBy, sha } : ledgerCommit(sha)));
  scope()
    .get(`/repos/${repository}/commits`)
    .query(true)
    .times(2)
    .optionally()
    .reply(200, (uri) => commits.slice(0, Number(new URL(uri, api).searchParams.get("per_page") ?? 30)));
  const head = scope()
    .get(file)
    .query({ ref: shas[0] })
    .optionally(options.optional ?? false)
    .reply(200, () => (fetched.push(shas[0]!), options.head), raw);
  history.forEach((version, i) => {
    // Twice at most: the partial read, then the full one (action/ledger.ts).
    const at = scope().get(file).query({ ref: shas[i] }).times(2).optionally();
    if (version === null) at.reply(404, { message: "Not Found" });
    else at.reply(200, () => (fetched.push(shas[i]!), version), raw);
  });
  const nodes = history.map((version, i) => ({
    oid: shas[i],
    file:
      version === null
        ? null
        : { oid: gitBlobSha(Buffer.from(version)), object: { byteSize: Buffer.byteLength(version) } },
  }));
  const listing = scope()
    .post("/graphql")
    .optionally()
    .reply(200, { data: { repository: { ref: { target: { history: { nodes } } } } } });
  return { head, listing, fetched };
}
