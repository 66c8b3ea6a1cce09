import { stringify } from "yaml";
import { ACCOUNT_ID_EXAMPLE, ACCOUNT_ID_RULE } from "../../request/account-id.js";
import { DEVICE_ID_RULE, DEVICE_LIST_RULE } from "../../request/device-id.js";
import { CIDR_EXAMPLES } from "./cidr.js";

/**
 * The production-access issue form. This object is the one definition: the app parses issue
 * bodies against it, and `.github/ISSUE_TEMPLATE/production-access.yml` must equal it (a test
 * compares them), so the form people fill in and the parser can never drift apart.
 */

export const FIELD = {
  organization: "organization",
  accountId: "account-id",
  contact: "contact",
  stageTesting: "stage-testing",
  devices: "devices",
  certificateOption: "certificate-option",
  deliveryKey: "delivery-key",
  accountStructure: "account-structure",
  networkPaths: "network-paths",
  phiUse: "phi-use",
} as const;
export type FieldId = (typeof FIELD)[keyof typeof FIELD];

export const STAGE_TESTING_ATTESTATION =
  "We built and tested our solution in the Stage environment with sandbox API access tokens";
export const CERTIFICATE_OPTIONS = [
  "Option 1 (recommended): we provide the public certificate we bought from an approved CA",
  "Option 2 (not recommended): OneRecord obtains a certificate on our behalf and hands us the private key",
] as const;

export const FIELD_LABELS: Record<FieldId, string> = {
  organization: "Organization",
  "account-id": "OneRecord account id",
  contact: "Technical contact",
  "stage-testing": "Stage testing",
  devices: "Device ids",
  "certificate-option": "Certificate option",
  "delivery-key": "Delivery public key (option 2 only)",
  "account-structure": "Account structure",
  "network-paths": "Network paths (egress CIDRs)",
  "phi-use": "PHI use",
};

export const issueForm = {
  name: "Production access request",
  description: "Ask for OneRecord API production access: certification, device certificates, then live tokens.",
  title: "Production access: ",
  body: [
    {
      type: "markdown",
      attributes: {
        value: [
          "Thank you for building on the OneRecord API. This request starts the production-access process:",
          "**certification** (a meeting: legal agreements, account structure and network review, a demo),",
          "then **one mutual-TLS client certificate per device** from an approved CA, then **one live token per device**.",
          "",
          "The OneRecord app answers with a status comment that says what happens next and what is missing.",
          "Keep the headings of this form as they are: the app reads them.",
        ].join("\n"),
      },
    },
    {
      type: "input",
      id: FIELD.organization,
      attributes: {
        label: FIELD_LABELS.organization,
        description: "Your organization's name.",
        placeholder: "Acme Health",
      },
      validations: { required: true },
    },
    {
      type: "input",
      id: FIELD.accountId,
      attributes: {
        label: FIELD_LABELS["account-id"],
        description:
          `The id of the OneRecord account (as in Stage) to convert to production: ` +
          `${ACCOUNT_ID_RULE}. Every device token carries it as its \`account\` claim.`,
        placeholder: ACCOUNT_ID_EXAMPLE,
      },
      validations: { required: true },
    },
    {
      type: "input",
      id: FIELD.contact,
      attributes: {
        label: FIELD_LABELS.contact,
        description: "Name and e-mail of the person OneRecord schedules the certification meeting with.",
        placeholder: "Jane Doe <jane.doe@example.com>",
      },
      validations: { required: true },
    },
    {
      type: "checkboxes",
      id: FIELD.stageTesting,
      attributes: {
        label: FIELD_LABELS["stage-testing"],
        description: "Production access is for solutions that already work end to end in Stage.",
        options: [{ label: STAGE_TESTING_ATTESTATION, required: true }],
      },
    },
    {
      type: "textarea",
      id: FIELD.devices,
      attributes: {
        label: FIELD_LABELS.devices,
        description:
          `Your devices as configured in your account, ${DEVICE_LIST_RULE}. A device ` +
          `id is ${DEVICE_ID_RULE}. Each device gets its own certificate and token.`,
        placeholder: "gateway-01\ngateway-02",
      },
      validations: { required: true },
    },
    {
      type: "dropdown",
      id: FIELD.certificateOption,
      attributes: {
        label: FIELD_LABELS["certificate-option"],
        description:
          "Approved CAs: VeriSign, DigiCert, GeoTrust, GlobalSign, Comodo, GoDaddy, Symantec. Self-signed certificates are never accepted.",
        options: [...CERTIFICATE_OPTIONS],
      },
      validations: { required: true },
    },
    {
      type: "textarea",
      id: FIELD.deliveryKey,
      attributes: {
        label: FIELD_LABELS["delivery-key"],
        description:
          "Option 2 only (leave empty with option 1): the public key OneRecord encrypts your devices' private keys to. " +
          "Run `node cli/dist/onerecord-access.js delivery-key --out delivery.key`, keep delivery.key, and paste the one line of JSON it prints. Never paste a private key here.",
        placeholder: '{"kty":"EC","crv":"P-256","x":"…","y":"…"}',
      },
      validations: { required: false },
    },
    {
      type: "textarea",
      id: FIELD.accountStructure,
      attributes: {
        label: FIELD_LABELS["account-structure"],
        description:
          "The production account structure you want (organizations, facilities, users); reviewed at certification.",
        placeholder: "One organization (Acme Health) with two facilities; 40 clinician users.",
      },
      validations: { required: true },
    },
    {
      type: "textarea",
      id: FIELD.networkPaths,
      attributes: {
        label: FIELD_LABELS["network-paths"],
        description:
          `The public egress addresses your traffic to OneRecord leaves from, one CIDR a line (such as ` +
          `${CIDR_EXAMPLES.ipv4} or ${CIDR_EXAMPLES.ipv6}), no comments; no private or reserved ranges.`,
        placeholder: `${CIDR_EXAMPLES.ipv4}\n${CIDR_EXAMPLES.ipv6}`,
      },
      validations: { required: true },
    },
    {
      type: "textarea",
      id: FIELD.phiUse,
      attributes: {
        label: FIELD_LABELS["phi-use"],
        description: "Which protected health information your solution fetches, why, and where it is stored.",
        placeholder: "Encounter summaries for care coordination; stored encrypted in our EU tenant.",
      },
      validations: { required: true },
    },
  ],
} as const;

/** The form as issue-form YAML: what `@github/issue-parser` matches bodies against. */
export const ISSUE_FORM_YAML = stringify(issueForm, { lineWidth: 0 });
