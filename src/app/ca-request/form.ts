import { stringify } from "yaml";

/**
 * The second issue form (issue 20, "Adding a certificate authority"; ../shared/SPEC.md I): a
 * customer whose CA is not on the list asks OneRecord to approve it. This object is the one
 * definition the parser reads bodies against (src/app/ca-request/parse.ts).
 * `.github/ISSUE_TEMPLATE/add-certificate-authority.yml` is this object written out (checked equal
 * by test/app/ca-request-form.test.ts).
 */

export const CA_FIELD = {
  name: "ca-name",
  root: "root-certificate",
  publishedAt: "published-at",
  reason: "reason",
} as const;
export type CaFieldId = (typeof CA_FIELD)[keyof typeof CA_FIELD];

export const CA_FIELD_LABELS: Record<CaFieldId, string> = {
  "ca-name": "Certificate authority",
  "root-certificate": "Root certificate (PEM)",
  "published-at": "Where the CA publishes the root",
  reason: "Why you need it",
};

export const caForm = {
  name: "Add a certificate authority",
  description:
    "Ask OneRecord to approve a certificate authority that is not on the list, for your devices' certificates.",
  title: "Add a CA: ",
  body: [
    {
      type: "markdown",
      attributes: {
        value: [
          "Your devices' certificates must come from an approved CA. If yours is not on the list (`node cli/dist/onerecord-access.js roots`), ask here.",
          "Paste the CA's **root certificate** only: public, in PEM. Never a private key, never a device certificate.",
        ].join("\n"),
      },
    },
    {
      type: "input",
      id: CA_FIELD.name,
      attributes: {
        label: CA_FIELD_LABELS["ca-name"],
        description: "The CA as it names itself.",
        placeholder: "Example Trust Services",
      },
      validations: { required: true },
    },
    {
      type: "textarea",
      id: CA_FIELD.root,
      attributes: {
        label: CA_FIELD_LABELS["root-certificate"],
        description: "The root certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.",
        render: "text",
      },
      validations: { required: true },
    },
    {
      type: "input",
      id: CA_FIELD.publishedAt,
      attributes: {
        label: CA_FIELD_LABELS["published-at"],
        description: "The https address where the CA publishes this root (its repository of CA certificates).",
        placeholder: "https://pki.example.com/roots/",
      },
      validations: { required: true },
    },
    {
      type: "textarea",
      id: CA_FIELD.reason,
      attributes: {
        label: CA_FIELD_LABELS.reason,
        description: "Why your devices need certificates from this CA.",
        placeholder: "Our gateways ship with certificates from this CA, which our customers' IT requires.",
      },
      validations: { required: true },
    },
  ],
} as const;

export const CA_FORM_YAML = stringify(caForm, { lineWidth: 0 });
