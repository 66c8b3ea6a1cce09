import { createHash } from "node:crypto";
import { parseIssue, type ParsedBody } from "@github/issue-parser";
import { findPrivateKeys } from "../../certificates/private-keys.js";
import {
  judgeRootCandidate,
  type RootCandidate,
  type RootCandidateOptions,
} from "../../certificates/root-candidate.js";
import { FORM_BODY_LIMIT, formShapeProblem, parseRequestForm } from "../intake/parse.js";
import { excerpt } from "../intake/validate.js";
import { CA_FIELD, CA_FIELD_LABELS, CA_FORM_YAML, type CaFieldId } from "./form.js";

/**
 * An *Add a certificate authority* issue body read against its form (src/app/ca-request/form.ts)
 * and every field checked: the name, the root judged (src/certificates/root-candidate.ts; a
 * private key pasted is refused and never quoted), the https address, the reason. Pure; never
 * throws on input.
 */

export interface CaRequestContent {
  name: string;
  rootPem: string;
  publishedAt: string;
  reason: string;
  /** SHA-256 (hex) of the normalised content: what an approval refers to. */
  sha256: string;
}

export interface CaFormProblem {
  field: CaFieldId;
  message: string;
}

export type CaFormResult =
  | { recognized: false }
  | { recognized: true; valid: true; request: CaRequestContent; judged: RootCandidate; problems: [] }
  | { recognized: true; valid: false; request: null; judged: RootCandidate | null; problems: CaFormProblem[] };

const MIN_RECOGNIZED_FIELDS = 3;

export function parseCaForm(body: string | null | undefined, options: RootCandidateOptions): CaFormResult {
  const source = (body ?? "").replace(/\r\n?/g, "\n");
  if (source.length > FORM_BODY_LIMIT || !looksLikeCaForm(source) || formShapeProblem(source))
    return { recognized: false };
  let parsed: ParsedBody;
  try {
    parsed = parseIssue(source, CA_FORM_YAML);
  } catch {
    return { recognized: false };
  }
  // A private key anywhere in the body is said first, and nothing of the body is quoted then.
  const keys = findPrivateKeys(new TextEncoder().encode(source));
  if (keys.length)
    return { recognized: true, valid: false, request: null, judged: null, problems: [privateKeyProblem(keys)] };
  const problems: CaFormProblem[] = [];
  const text = (id: CaFieldId) => {
    const value = parsed[id];
    return typeof value === "string" && value.trim() !== "_No response_" ? value.trim() : "";
  };
  const name = required(CA_FIELD.name, text(CA_FIELD.name), 120, problems);
  const publishedAt = httpsAddress(text(CA_FIELD.publishedAt), problems);
  const reason = required(CA_FIELD.reason, text(CA_FIELD.reason), 5_000, problems);
  const rootPem = text(CA_FIELD.root);
  const judged = rootPem ? judgeRootCandidate(new TextEncoder().encode(rootPem), options) : null;
  if (!judged) problems.push(missing(CA_FIELD.root));
  else
    for (const e of judged.errors)
      problems.push({
        field: CA_FIELD.root,
        message: `**${CA_FIELD_LABELS["root-certificate"]}**: ${e.message} (${e.code})`,
      });
  if (problems.length || !name || !publishedAt || !reason || !judged)
    return { recognized: true, valid: false, request: null, judged, problems };
  // The root as re-encoded from its DER: nothing pasted around it reaches the record or the configuration.
  const content = { name, rootPem: judged.pem!, publishedAt, reason };
  const sha256 = createHash("sha256").update(JSON.stringify(content)).digest("hex");
  return { recognized: true, valid: true, request: { ...content, sha256 }, judged, problems: [] };
}

function privateKeyProblem(kinds: readonly string[]): CaFormProblem {
  return {
    field: CA_FIELD.root,
    message: `the issue holds a private key (${kinds.join(", ")}): it is now visible to everyone who can read this issue. Delete it from the issue, have it replaced (rotate it), and paste only the CA's public root certificate`,
  };
}

/**
 * Whether a body is (or was) an *Add a certificate authority* form and not a production-access
 * form: the test the handlers route on. A body that reads as both is a production-access request
 * (the CA headings may be hidden in it, in an HTML comment for one); the CA flow also refuses an
 * issue the ledger or the app's status comment already knows as one (src/app/ca-request/observe.ts).
 */
export function isCaFormBody(body: string | null | undefined): boolean {
  const source = (body ?? "").replace(/\r\n?/g, "\n");
  return source.length <= FORM_BODY_LIMIT && looksLikeCaForm(source) && !parseRequestForm(source).recognized;
}

function looksLikeCaForm(body: string): boolean {
  const lines = new Set(body.split("\n").map((l) => l.trim()));
  return Object.values(CA_FIELD_LABELS).filter((label) => lines.has(`### ${label}`)).length >= MIN_RECOGNIZED_FIELDS;
}

function missing(id: CaFieldId): CaFormProblem {
  return { field: id, message: `**${CA_FIELD_LABELS[id]}** is missing: fill it in by editing the issue` };
}

function required(id: CaFieldId, value: string, max: number, problems: CaFormProblem[]): string | undefined {
  if (!value) {
    problems.push(missing(id));
    return undefined;
  }
  if (value.length > max) {
    problems.push({ field: id, message: `**${CA_FIELD_LABELS[id]}** is longer than ${max} characters` });
    return undefined;
  }
  return value;
}

function httpsAddress(value: string, problems: CaFormProblem[]): string | undefined {
  const id = CA_FIELD.publishedAt;
  if (!value) {
    problems.push(missing(id));
    return undefined;
  }
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || url.protocol !== "https:" || value.length > 500 || /\s/.test(value)) {
    problems.push({
      field: id,
      message: `**${CA_FIELD_LABELS[id]}** must be an https address (got "${excerpt(value, 80)}")`,
    });
    return undefined;
  }
  return url.toString();
}
