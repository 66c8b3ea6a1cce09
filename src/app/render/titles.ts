import type { Stage } from "../../record/schema.js";

/** The names people read for stages and checklist items (status comment, replies). */
export const STAGE_TITLE: Record<Stage, string> = {
  requested: "Requested",
  certification: "Certification",
  certificates: "Certificates",
  tokens: "Tokens",
  live: "Live",
  ended: "Access ended",
  rejected: "Rejected",
};

export const ITEM_TITLE: Record<string, string> = {
  "stage-testing": "Stage testing confirmed",
  "legal-agreements": "Legal agreements signed",
  "account-review": "Account structure reviewed",
  "network-review": "Network paths reviewed",
};
