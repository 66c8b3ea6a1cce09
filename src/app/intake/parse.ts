import { createHash } from "node:crypto";
import { parseIssue, type Checkboxes, type ParsedBody } from "@github/issue-parser";
import type { FormProblem, RequestContent } from "../../record/schema.js";
import {
  CERTIFICATE_OPTIONS,
  FIELD,
  FIELD_LABELS,
  ISSUE_FORM_YAML,
  STAGE_TESTING_ATTESTATION,
  type FieldId,
} from "./form.js";
import {
  excerpt,
  validateAccountId,
  validateContact,
  validateDevices,
  validateNetworkPaths,
  validateOrganization,
  validateText,
} from "./validate.js";

export type FormResult =
  | { recognized: false }
  | { recognized: true; valid: true; request: RequestContent; problems: [] }
  | { recognized: true; valid: false; request: null; problems: FormProblem[] };

/** A body is taken for a request when it carries at least this many of the form's headings. */
const MIN_RECOGNIZED_FIELDS = 3;

/**
 * Reads a production-access issue body with GitHub's issue-form parser (matched against our
 * form, so headings map to field ids) and validates every field. Pure; never throws on input.
 */
export function parseRequestForm(body: string | null | undefined): FormResult {
  let parsed: ParsedBody;
  try {
    parsed = parseIssue((body ?? "").replace(/\r\n?/g, "\n"), ISSUE_FORM_YAML);
  } catch {
    return { recognized: false };
  }
  const ids = Object.values(FIELD) as FieldId[];
  const present = ids.filter((id) => id in parsed);
  if (present.length < MIN_RECOGNIZED_FIELDS) return { recognized: false };

  const problems: FormProblem[] = [];
  const text = (id: FieldId): string | undefined => {
    const value = parsed[id];
    return typeof value === "string" ? value.trim() : undefined;
  };
  const fields = {
    organization: validateOrganization(text(FIELD.organization), problems),
    accountId: validateAccountId(text(FIELD.accountId), problems),
    contact: validateContact(text(FIELD.contact), problems),
    stageTesting: validateAttestation(parsed[FIELD.stageTesting], problems),
    devices: validateDevices(text(FIELD.devices), problems),
    certificateOption: validateOption(parsed[FIELD.certificateOption], problems),
    accountStructure: validateText(
      text(FIELD.accountStructure),
      FIELD.accountStructure,
      { maxLength: 10_000 },
      problems,
    ),
    networkPaths: validateNetworkPaths(text(FIELD.networkPaths), problems),
    phiUse: validateText(text(FIELD.phiUse), FIELD.phiUse, { maxLength: 10_000 }, problems),
  };
  const complete = Object.values(fields).every((value) => value !== undefined);
  if (problems.length > 0 || !complete) return { recognized: true, valid: false, request: null, problems };

  const normalised = fields as { [K in keyof typeof fields]-?: NonNullable<(typeof fields)[K]> };
  const sha256 = createHash("sha256").update(JSON.stringify(normalised)).digest("hex");
  const { accountId, contact, devices, certificateOption, networkPaths } = normalised;
  return {
    recognized: true,
    valid: true,
    problems: [],
    request: { account: accountId, contact, devices, certificateOption, networkPaths, sha256 },
  };
}

function missing(id: FieldId, problems: FormProblem[]): undefined {
  problems.push({ field: id, message: `**${FIELD_LABELS[id]}** is missing: fill it in by editing the issue` });
  return undefined;
}

function validateAttestation(value: ParsedBody[string], problems: FormProblem[]): true | undefined {
  const attested = value as Checkboxes | undefined;
  if (!attested || typeof attested !== "object" || !("selected" in attested))
    return missing(FIELD.stageTesting, problems);
  if (attested.selected.includes(STAGE_TESTING_ATTESTATION)) return true;
  problems.push({
    field: FIELD.stageTesting,
    message: `**${FIELD_LABELS["stage-testing"]}**: tick "${STAGE_TESTING_ATTESTATION}" once your solution works in Stage`,
  });
  return undefined;
}

function validateOption(option: ParsedBody[string], problems: FormProblem[]): 1 | 2 | undefined {
  const chosen = Array.isArray(option) ? option : typeof option === "string" ? [option] : [];
  if (chosen.length === 0) return missing(FIELD.certificateOption, problems);
  const index =
    chosen.length === 1 ? CERTIFICATE_OPTIONS.indexOf(chosen[0]!.trim() as (typeof CERTIFICATE_OPTIONS)[number]) : -1;
  if (index >= 0) return (index + 1) as 1 | 2;
  problems.push({
    field: FIELD.certificateOption,
    message: `**${FIELD_LABELS["certificate-option"]}**: unknown option "${excerpt(chosen.join(", "), 200)}"; choose "${CERTIFICATE_OPTIONS[0]}" or "${CERTIFICATE_OPTIONS[1]}"`,
  });
  return undefined;
}

export function bodySha256(body: string | null | undefined): string {
  return createHash("sha256")
    .update((body ?? "").replace(/\r\n?/g, "\n"))
    .digest("hex");
}
