import { createHash } from "node:crypto";
import { parseIssue, type Checkboxes, type ParsedBody } from "@github/issue-parser";
import { judgeDeliveryJwk, type DeliveryJwk } from "../../delivery/delivery-jwk.js";
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

/** What GitHub writes for an optional field left empty. */
const NO_RESPONSE = "_No response_";

/** A body is taken for a request when it carries at least this many of the form's headings. */
const MIN_RECOGNIZED_FIELDS = 3;

/**
 * Limits checked before the issue-form parser runs: its section regex takes time quadratic in
 * a line holding many `###` (or `###` then a long run of spaces), seconds for one 64 KB line.
 * A form GitHub writes has eight short headings; a body outside these limits is not parsed.
 */
/** GitHub's own limit on an issue body. */
export const FORM_BODY_LIMIT = 65_536;
/** Places where `###` begins (each is a start of the section regex). */
export const FORM_HEADING_MARKS_LIMIT = 100;
/** Characters on a line that holds `###` (our headings are under 50). */
export const FORM_HEADING_LINE_LIMIT = 300;

/** Why a body is not handed to the issue-form parser, or null when it may be. Linear in the body. */
export function formShapeProblem(body: string): string | null {
  if (body.length > FORM_BODY_LIMIT) return `the issue body is over ${FORM_BODY_LIMIT} characters`;
  let marks = 0;
  for (let at = body.indexOf("###"); at >= 0; at = body.indexOf("###", at + 1)) {
    if (++marks > FORM_HEADING_MARKS_LIMIT) return `the issue body has more than ${FORM_HEADING_MARKS_LIMIT} \`###\``;
    const start = body.lastIndexOf("\n", at) + 1;
    const end = body.indexOf("\n", at);
    if ((end < 0 ? body.length : end) - start > FORM_HEADING_LINE_LIMIT)
      return `a line with \`###\` is over ${FORM_HEADING_LINE_LIMIT} characters`;
  }
  return null;
}

/** Whether the body carries enough of the form's heading lines (as GitHub writes them) to be meant as a request. */
function looksLikeForm(body: string): boolean {
  const lines = new Set(body.split("\n").map((l) => l.trim()));
  const labels = Object.values(FIELD_LABELS).filter((label) => lines.has(`### ${label}`));
  return labels.length >= MIN_RECOGNIZED_FIELDS;
}

/**
 * Reads a production-access issue body with GitHub's issue-form parser (matched against our
 * form, so headings map to field ids) and validates every field. Pure; never throws on input.
 */
export function parseRequestForm(body: string | null | undefined): FormResult {
  if ((body ?? "").length > FORM_BODY_LIMIT) return { recognized: false };
  const source = (body ?? "").replace(/\r\n?/g, "\n");
  // Most issues are not requests: without the form's headings, nothing more is read.
  if (!looksLikeForm(source)) return { recognized: false };
  const shape = formShapeProblem(source);
  if (shape) {
    const message = `The issue body cannot be read as the form (${shape}): edit the issue and keep to the form's fields`;
    return { recognized: true, valid: false, request: null, problems: [{ field: FIELD.organization, message }] };
  }
  let parsed: ParsedBody;
  try {
    parsed = parseIssue(source, ISSUE_FORM_YAML);
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
    deliveryKey: validateDeliveryKey(text(FIELD.deliveryKey), parsed[FIELD.certificateOption], problems),
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

  // No delivery key (option 1) leaves the form's hash what it was before the field existed, so
  // approvals of requests made before it still bind.
  const { deliveryKey, ...rest } = fields;
  const normalised = { ...rest, ...(deliveryKey ? { deliveryKey } : {}) } as {
    [K in keyof typeof rest]-?: NonNullable<(typeof rest)[K]>;
  } & { deliveryKey?: DeliveryJwk };
  const sha256 = createHash("sha256").update(JSON.stringify(normalised)).digest("hex");
  const { accountId, contact, devices, certificateOption, networkPaths } = normalised;
  return {
    recognized: true,
    valid: true,
    problems: [],
    request: {
      account: accountId,
      contact,
      devices,
      certificateOption,
      ...(deliveryKey ? { deliveryKey } : {}),
      networkPaths,
      sha256,
      fields: fieldHashes(normalised),
    },
  };
}

/** SHA-256 of each field's normalised value, by field id: what a checklist tick reviewed. */
function fieldHashes(normalised: Record<string, unknown>): Record<string, string> {
  const ids: Record<string, FieldId> = {
    organization: FIELD.organization,
    accountId: FIELD.accountId,
    contact: FIELD.contact,
    stageTesting: FIELD.stageTesting,
    devices: FIELD.devices,
    certificateOption: FIELD.certificateOption,
    deliveryKey: FIELD.deliveryKey,
    accountStructure: FIELD.accountStructure,
    networkPaths: FIELD.networkPaths,
    phiUse: FIELD.phiUse,
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(normalised))
    out[ids[key] ?? key] = createHash("sha256").update(JSON.stringify(value)).digest("hex");
  return out;
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
    message:
      `**${FIELD_LABELS["certificate-option"]}**: unknown option "${excerpt(chosen.join(", "), 200)}"; ` +
      `choose "${CERTIFICATE_OPTIONS[0]}" or "${CERTIFICATE_OPTIONS[1]}"`,
  });
  return undefined;
}

/**
 * The delivery public key: required with option 2, refused with option 1 (nothing is delivered
 * then, and a key there is a mistake worth saying). Null: none, as option 1 wants; undefined: a
 * problem was added. A private key pasted here is said first and never quoted.
 */
function validateDeliveryKey(
  value: string | undefined,
  option: ParsedBody[string],
  problems: FormProblem[],
): DeliveryJwk | null | undefined {
  const given = value && value !== NO_RESPONSE ? value : undefined;
  const chosen = Array.isArray(option) ? option : typeof option === "string" ? [option] : [];
  const second = chosen.length === 1 && chosen[0]!.trim() === CERTIFICATE_OPTIONS[1];
  const label = `**${FIELD_LABELS["delivery-key"]}**`;
  if (!given) {
    if (!second) return null;
    problems.push({
      field: FIELD.deliveryKey,
      message: `${label} is required with option 2: run \`node cli/dist/onerecord-access.js delivery-key --out delivery.key\` and paste the line it prints`,
    });
    return undefined;
  }
  const verdict = judgeDeliveryJwk(given);
  if (!verdict.ok) {
    problems.push({ field: FIELD.deliveryKey, message: `${label} ${verdict.reason}` });
    return undefined;
  }
  if (second) return verdict.jwk;
  problems.push({
    field: FIELD.deliveryKey,
    message: `${label} is for option 2 only: with option 1 you keep your own keys, so leave it empty`,
  });
  return undefined;
}

export function bodySha256(body: string | null | undefined): string {
  return createHash("sha256")
    .update((body ?? "").replace(/\r\n?/g, "\n"))
    .digest("hex");
}
