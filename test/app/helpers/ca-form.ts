import { CA_FIELD_LABELS } from "../../../src/app/ca-request/form.js";

export type CaFormValues = Partial<Record<keyof typeof CA_FIELD_LABELS, string>>;

/** An *Add a certificate authority* issue body as GitHub renders the form (empty fields: `_No response_`). */
export function caBody(values: CaFormValues): string {
  const v = {
    "ca-name": "Example Trust Services",
    "root-certificate": "",
    "published-at": "https://pki.example.com/roots/",
    reason: "Our gateways ship with certificates from this CA.",
    ...values,
  };
  return Object.entries(CA_FIELD_LABELS)
    .map(([id, label]) => `### ${label}\n\n${v[id as keyof typeof v] || "_No response_"}\n`)
    .join("\n");
}
