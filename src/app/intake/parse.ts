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
import { validateDevices, validateNetworkPaths, validateText, validateContact } from "./validate.js";

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
  const missing = (id: FieldId) =>
    problems.push({ field: id, message: `**${FIELD_LABELS[id]}** is missing: fill it in by editing the issue` });

  const organization = validateText(
    text(FIELD.organization),
    FIELD.organization,
    { maxLength: 200, singleLine: true },
    problems,
  );
  const contact = validateContact(text(FIELD.contact), problems);

  const attested = parsed[FIELD.stageTesting] as Checkboxes | undefined;
  if (!attested || typeof attested !== "object" || !("selected" in attested)) missing(FIELD.stageTesting);
  else if (!attested.selected.includes(STAGE_TESTING_ATTESTATION)) {
    problems.push({
      field: FIELD.stageTesting,
      message: `**${FIELD_LABELS["stage-testing"]}**: tick "${STAGE_TESTING_ATTESTATION}" once your solution works in Stage`,
    });
  }

  const devices = validateDevices(text(FIELD.devices), problems);

  const option = parsed[FIELD.certificateOption];
  let certificateOption: 1 | 2 | undefined;
  const chosen = Array.isArray(option) ? option : typeof option === "string" ? [option] : [];
  if (chosen.length === 0) missing(FIELD.certificateOption);
  else {
    const index =
      chosen.length === 1 ? CERTIFICATE_OPTIONS.indexOf(chosen[0]!.trim() as (typeof CERTIFICATE_OPTIONS)[number]) : -1;
    if (index < 0) {
      problems.push({
        field: FIELD.certificateOption,
        message: `**${FIELD_LABELS["certificate-option"]}**: unknown option "${chosen.join(", ").slice(0, 200)}"; choose "${CERTIFICATE_OPTIONS[0]}" or "${CERTIFICATE_OPTIONS[1]}"`,
      });
    } else certificateOption = (index + 1) as 1 | 2;
  }

  const accountStructure = validateText(
    text(FIELD.accountStructure),
    FIELD.accountStructure,
    { maxLength: 10_000 },
    problems,
  );
  const networkPaths = validateNetworkPaths(text(FIELD.networkPaths), problems);
  const phiUse = validateText(text(FIELD.phiUse), FIELD.phiUse, { maxLength: 10_000 }, problems);

  if (
    problems.length > 0 ||
    !organization ||
    !contact ||
    !devices ||
    !certificateOption ||
    !accountStructure ||
    !networkPaths ||
    !phiUse
  ) {
    return { recognized: true, valid: false, request: null, problems };
  }
  const normalised = {
    organization,
    contact,
    stageTesting: true,
    devices,
    certificateOption,
    accountStructure,
    networkPaths,
    phiUse,
  };
  const sha256 = createHash("sha256").update(JSON.stringify(normalised)).digest("hex");
  return {
    recognized: true,
    valid: true,
    problems: [],
    request: { account: organization, contact, devices, certificateOption, networkPaths, sha256 },
  };
}

export function bodySha256(body: string | null | undefined): string {
  return createHash("sha256")
    .update((body ?? "").replace(/\r\n?/g, "\n"))
    .digest("hex");
}
