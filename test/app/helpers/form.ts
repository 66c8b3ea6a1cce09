import { generateKeyPairSync } from "node:crypto";
import { CERTIFICATE_OPTIONS, FIELD_LABELS, STAGE_TESTING_ATTESTATION } from "../../../src/app/intake/form.js";

/** A delivery public key for option-2 forms that give none (a public key: nothing secret). */
export const TEST_DELIVERY_JWK = (() => {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const { kty, crv, x, y } = publicKey.export({ format: "jwk" });
  return JSON.stringify({ kty, crv, x, y });
})();

export interface FormValues {
  organization?: string;
  accountId?: string;
  contact?: string;
  stageTested?: boolean;
  devices?: string[] | string;
  option?: string;
  /** The delivery public key field as typed (empty: "_No response_", as GitHub writes it). */
  deliveryKey?: string;
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
  // Option 2 needs a delivery key: one is given unless the test says what the field holds.
  const deliveryKey = values.deliveryKey ?? (v.option === CERTIFICATE_OPTIONS[1] ? TEST_DELIVERY_JWK : undefined);
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
    `### ${FIELD_LABELS["delivery-key"]}`,
    "",
    text(deliveryKey),
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
