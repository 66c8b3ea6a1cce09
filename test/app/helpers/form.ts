import { CERTIFICATE_OPTIONS, FIELD_LABELS, STAGE_TESTING_ATTESTATION } from "../../../src/app/intake/form.js";

export interface FormValues {
  organization?: string;
  accountId?: string;
  contact?: string;
  stageTested?: boolean;
  devices?: string[] | string;
  option?: string;
  accountStructure?: string;
  networkPaths?: string[] | string;
  phiUse?: string;
}

/** An issue body exactly as GitHub writes it for a submitted issue form. */
export function formBody(values: FormValues = {}): string {
  const v = {
    organization: "Acme Health",
    accountId: "acme-health",
    contact: "Jane Doe <jane.doe@acme.test>",
    stageTested: true,
    devices: ["gateway-01", "gateway-02"],
    option: CERTIFICATE_OPTIONS[0],
    accountStructure: "One organization, two facilities.",
    networkPaths: ["8.8.4.0/24"],
    phiUse: "Encounter summaries for care coordination; stored encrypted in our EU tenant.",
    ...values,
  };
  const text = (value: string | string[] | undefined) =>
    value === undefined || value === "" ? "_No response_" : Array.isArray(value) ? value.join("\n") : value;
  return [
    `### ${FIELD_LABELS.organization}`,
    "",
    text(v.organization),
    "",
    `### ${FIELD_LABELS["account-id"]}`,
    "",
    text(v.accountId),
    "",
    `### ${FIELD_LABELS.contact}`,
    "",
    text(v.contact),
    "",
    `### ${FIELD_LABELS["stage-testing"]}`,
    "",
    `- [${v.stageTested ? "X" : " "}] ${STAGE_TESTING_ATTESTATION}`,
    "",
    `### ${FIELD_LABELS.devices}`,
    "",
    text(v.devices),
    "",
    `### ${FIELD_LABELS["certificate-option"]}`,
    "",
    v.option ?? "None",
    "",
    `### ${FIELD_LABELS["account-structure"]}`,
    "",
    text(v.accountStructure),
    "",
    `### ${FIELD_LABELS["network-paths"]}`,
    "",
    text(v.networkPaths),
    "",
    `### ${FIELD_LABELS["phi-use"]}`,
    "",
    text(v.phiUse),
    "",
  ].join("\n");
}
