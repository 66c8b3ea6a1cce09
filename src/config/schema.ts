import { X509Certificate } from "node:crypto";
import * as z from "zod";
import { statusUriProblem } from "../tokens/status-uri.js";
import { recordJwksProblems } from "../record/record-keys.js";
import { isValidDeviceId } from "../request/device-id.js";

/**
 * `.github/onerecord-access.yml`. Every field is optional with a safe default so an empty file (or
 * none) still gives a working, strict configuration. `scripts/generate-config-schema.ts` publishes
 * this as JSON Schema (`schema/onerecord-access.schema.json`) for editors.
 */

const login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "a GitHub login");
const teamSlug = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "an org/team-slug");
const colour = z.string().regex(/^[0-9a-fA-F]{6}$/, "a 6-digit hex colour without #");

const label = z
  .object({ name: z.string().min(1).max(50), color: colour, description: z.string().max(100).optional() })
  .strict();

export const STAGE_NAMES = [
  "requested",
  "certification",
  "certificates",
  "tokens",
  "live",
  "ended",
  "rejected",
] as const;
export const CHECKLIST_ITEMS = ["stage-testing", "legal-agreements", "account-review", "network-review"] as const;
/** The issue form's field ids (src/app/intake/form.ts `FIELD`; a test keeps the two equal). */
export const FORM_FIELD_IDS = [
  "organization",
  "account-id",
  "contact",
  "stage-testing",
  "devices",
  "certificate-option",
  "delivery-key",
  "account-structure",
  "network-paths",
  "phi-use",
] as const;

/** What each checklist item reviews, unless the configuration says otherwise. */
export const DEFAULT_CHECKLIST_FIELDS: Record<(typeof CHECKLIST_ITEMS)[number], string[]> = {
  "stage-testing": ["stage-testing"],
  "legal-agreements": ["organization", "account-id"],
  "account-review": ["account-structure", "devices"],
  "network-review": ["network-paths"],
};

/** The expiry watch's defaults (config `renewal`). */
export const DEFAULT_SWEEP_WORKFLOW = "access-sweep.yml";
export const DEFAULT_REMINDER_DAYS = [30, 14, 7, 1] as const;

export const NEEDS_NAMES = [
  "request-info",
  ...CHECKLIST_ITEMS,
  "certification",
  "certificates",
  "tokens",
  "access-review",
  "renewal",
] as const;

const fingerprint = z
  .string()
  .transform((s) => s.replace(/[:\s]/g, "").toUpperCase())
  .pipe(z.string().regex(/^[0-9A-F]{64}$/, "a SHA-256 fingerprint (64 hex digits, colons allowed)"))
  .transform((hex) => hex.match(/../g)!.join(":"));

export const extraCaSchema = z
  .object({
    brand: z.string().min(1).max(64),
    fingerprintSha256: fingerprint,
    pem: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "a PEM certificate" }),
  })
  .strict()
  // A pin that does not match its certificate would silently trust nothing; say so instead.
  .superRefine((ca, ctx) => {
    let actual: string;
    try {
      actual = new X509Certificate(ca.pem).fingerprint256;
    } catch {
      ctx.addIssue({ code: "custom", path: ["pem"], message: "not a readable PEM certificate" });
      return;
    }
    if (actual !== ca.fingerprintSha256) {
      ctx.addIssue({
        code: "custom",
        path: ["fingerprintSha256"],
        message: `does not match the certificate in pem (its SHA-256 is ${actual})`,
      });
    }
  });

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];
const publicJwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(10) })
  .strict()
  .refine(
    (jwks) => jwks.keys.every((key) => PRIVATE_JWK_MEMBERS.every((m) => !(m in key))),
    'must hold public keys only (a private member such as "d" was found)',
  );

/** The record key's public JWKS: public members only, and every key an ES256 or EdDSA record key. */
const recordJwks = publicJwks.superRefine((jwks, ctx) => {
  for (const [index, message] of recordJwksProblems(jwks.keys))
    ctx.addIssue({ code: "custom", path: ["keys", index], message: `a record key ${message}` });
});

export const DEFAULT_RECORDS_BRANCH = "onerecord-access/records";

/**
 * A branch name the app can use in a ref and a URL without surprises: a stricter allowlist than
 * `git check-ref-format --branch` (letters, digits, `.`, `_`, `-` in `/`-separated segments; no
 * segment starting with `.` or ending with `.lock`, no `..`, no leading `-`, no `refs/`, not HEAD).
 */
const branchName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._/-]+$/, "a branch name of letters, digits, ., _, - and /")
  .refine(
    (b) =>
      !b.startsWith("-") &&
      !b.startsWith("refs/") &&
      b !== "HEAD" &&
      !b.includes("..") &&
      b.split("/").every((s) => s.length > 0 && !s.startsWith(".") && !s.endsWith(".lock")) &&
      !b.endsWith("."),
    "a safe git branch name (no empty or dot-first segment, no .., .lock, leading -, refs/ or HEAD)",
  );

const repositorySlug = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, "owner/name of a GitHub repository")
  .refine((r) => ![".", ".."].includes(r.split("/")[1]!), "owner/name of a GitHub repository");

/**
 * Certificates obtained on the customer's behalf (option 2, issue 20; docs/option-2.md): the CA's
 * ACME directory (RFC 8555) whose External Account Binding (the secrets ACME_EAB_KID and
 * ACME_EAB_HMAC, and the account key ACME_ACCOUNT_KEY, in the protected environment) selects the
 * client-authentication profile; the identifier each device's certificate names; the device key
 * type; how long the comment holding the encrypted keys stays.
 */
const onBehalfSchema = z
  .object({
    directory: z
      .string()
      .url()
      .refine((u) => u.startsWith("https://"), "an https:// ACME directory URL"),
    /** `{device}` and `{account}` placeholders: a DNS name under a domain the CA account may issue for. */
    identifier: z
      .string()
      .max(200)
      .refine((t) => t.includes("{device}"), "must contain {device}")
      .refine(
        (t) => /^[a-z0-9{}.-]+$/i.test(t) && t.replace(/\{(device|account)\}/g, "x").split(".").length >= 3,
        "a DNS name template such as {device}.{account}.devices.example.com",
      ),
    keyType: z.enum(["ec-p256", "ec-p384", "rsa-3072"]).default("ec-p256"),
    keyCommentDays: z.number().int().min(1).max(90).default(14),
    /** The protected workflow that obtains them (.github/workflows/<this>). */
    workflow: z
      .string()
      .regex(/^[A-Za-z0-9._-]+\.ya?ml$/, "a workflow file name in .github/workflows")
      .default("obtain-certificates.yml"),
  })
  .strict();

function defaultLabels() {
  const stage = (name: string, color: string, description: string) => ({ name: `access: ${name}`, color, description });
  const needs = (name: string, description: string) => ({ name: `needs: ${name}`, color: "fbca04", description });
  return {
    stages: {
      requested: stage("requested", "c5def5", "Production access requested"),
      certification: stage("certification", "1d76db", "Certification in progress"),
      certificates: stage("certificates", "5319e7", "Waiting for device certificates"),
      tokens: stage("tokens", "0e8a16", "Ready for token issuance"),
      live: stage("live", "0b6623", "Live tokens issued"),
      ended: stage("ended", "6a737d", "Access ended: every token revoked"),
      rejected: stage("rejected", "b60205", "Request rejected"),
    },
    needs: {
      "request-info": needs("request-info", "The request form needs fixing"),
      "stage-testing": needs("stage-testing", "Stage testing not yet confirmed"),
      "legal-agreements": needs("legal-agreements", "Legal agreements not yet signed"),
      "account-review": needs("account-review", "Account structure not yet reviewed"),
      "network-review": needs("network-review", "Network paths not yet reviewed"),
      certification: needs("certification", "Demo and certification approval outstanding"),
      certificates: needs("certificates", "Device certificates outstanding"),
      tokens: needs("tokens", "Tokens not yet issued"),
      "access-review": needs("access-review", "The periodic access review is due: a reviewer runs /recertify"),
      renewal: needs("renewal", "A device's certificate or token is due for renewal"),
    },
    onHold: { name: "access: on-hold", color: "d93f0b", description: "On hold: nothing advances" },
  };
}

const labelsSchema = z
  .object({
    stages: z
      .object(
        Object.fromEntries(STAGE_NAMES.map((s) => [s, label.optional()])) as Record<
          (typeof STAGE_NAMES)[number],
          z.ZodOptional<typeof label>
        >,
      )
      .strict()
      .optional(),
    needs: z
      .object(
        Object.fromEntries(NEEDS_NAMES.map((s) => [s, label.optional()])) as Record<
          (typeof NEEDS_NAMES)[number],
          z.ZodOptional<typeof label>
        >,
      )
      .strict()
      .optional(),
    onHold: label.optional(),
  })
  .strict()
  .superRefine((labels, ctx) => {
    // Labels are the view of the record: two states sharing a name (GitHub compares names
    // case-insensitively) could not be told apart, and restoring one would remove the other.
    const defaults = defaultLabels();
    const named: Array<[string[], string]> = [];
    for (const group of ["stages", "needs"] as const) {
      const merged: Record<string, { name: string }> = { ...defaults[group], ...stripUndefined(labels[group] ?? {}) };
      for (const [key, value] of Object.entries(merged)) named.push([[group, key], value.name]);
    }
    named.push([["onHold"], (labels.onHold ?? defaults.onHold).name]);
    const seen = new Map<string, string[]>();
    for (const [path, name] of named) {
      const first = seen.get(name.toLowerCase());
      if (first)
        ctx.addIssue({
          code: "custom",
          path,
          message: `the label name "${name}" is also used by labels.${first.join(".")}; every label needs its own name`,
        });
      else seen.set(name.toLowerCase(), path);
    }
  });

export const configSchema = z
  .object({
    reviewers: z
      .object({
        teams: z.array(teamSlug).default([]),
        logins: z.array(login).default([]),
      })
      .strict()
      .default({ teams: [], logins: [] }),
    labels: labelsSchema.default({}),
    /**
     * The periodic access review (issue 19; SOC 2 CC6.2–CC6.3): every request that went live is
     * reviewed every `reviewEvery` days (`/recertify` by a reviewer who is not the requester);
     * `reviewGrace` days after it is due without one, its tokens are suspended in the token
     * status list until it is.
     */
    access: z
      .object({
        reviewEvery: z.number().int().min(1).max(3650).default(365),
        reviewGrace: z.number().int().min(0).max(365).default(30),
      })
      .strict()
      .default({ reviewEvery: 365, reviewGrace: 30 }),
    checklist: z
      .array(z.enum(CHECKLIST_ITEMS))
      .min(1)
      .refine((items) => new Set(items).size === items.length, "checklist items must be unique")
      .default([...CHECKLIST_ITEMS]),
    /**
     * The form fields each checklist item reviews: an edit that changes one of them unticks the
     * item (a tick counts only for the content it reviewed).
     */
    checklistFields: z
      .object(
        Object.fromEntries(CHECKLIST_ITEMS.map((item) => [item, z.array(z.enum(FORM_FIELD_IDS)).min(1).optional()])),
      )
      .strict()
      .default({})
      .transform((given) => ({ ...DEFAULT_CHECKLIST_FIELDS, ...given })),
    certificates: z
      .object({
        /** `{request}` and `{device}` placeholders; the file must end with `.pem`. */
        pathPattern: z
          .string()
          .refine((p) => p.includes("{request}") && p.includes("{device}"), "must contain {request} and {device}")
          .refine(
            (p) => !p.startsWith("/") && !p.split("/").includes(".."),
            "must be a relative path inside the repository",
          )
          .default("certificates/{request}/{device}.pem"),
        warnDays: z.number().int().min(0).max(3650).default(30),
        extraCAs: z.array(extraCaSchema).default([]),
        onBehalf: onBehalfSchema.optional(),
      })
      .strict()
      .default({ pathPattern: "certificates/{request}/{device}.pem", warnDays: 30, extraCAs: [] }),
    tokens: z
      .object({
        issuer: z.string().url().default("https://onerecord.example/access"),
        audience: z.string().min(1).default("https://api.onerecord.example"),
        lifetimeDays: z.number().int().min(1).max(825).default(365),
        workflow: z
          .string()
          .regex(/^[A-Za-z0-9._-]+\.ya?ml$/)
          .default("issue-tokens.yml"),
        /**
         * The public JWKS of the token signing key (the workflow's `jwks` output). With it the app
         * verifies the proof each issuance comment carries, so only the holder of the signing key
         * (the protected environment) can record an issuance.
         */
        jwks: publicJwks.optional(),
        /**
         * After a renewed certificate of a live request is merged, the app dispatches the token
         * workflow for that request (issue 19); the environment's reviewers still approve the run.
         */
        autoDispatch: z.boolean().default(true),
        /**
         * Revocation the API can check offline (docs/app.md, "Revocation"): each request's token
         * status list (draft-ietf-oauth-status-list), signed by the app's record key and written
         * to `status/<issue>.jwt` on the ledger branch, served at `uri` with `{issue}` replaced
         * (the operator serves the ledger branch's `status/` folder there). Unset: tokens carry no
         * status claim and revocations are recorded but cannot be checked by the API.
         */
        statusList: z
          .object({
            uri: z
              .string()
              .max(1000)
              .refine((u) => u.includes("{issue}"), "a URI with {issue} where the request number goes")
              .refine(
                (u) => statusUriProblem(u.replace("{issue}", "1")) === null,
                "an https URI (no credentials or fragment)",
              ),
            ttlSeconds: z.number().int().min(30).max(86_400).default(300),
            lifetimeDays: z.number().int().min(1).max(365).default(30),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({
        issuer: "https://onerecord.example/access",
        audience: "https://api.onerecord.example",
        lifetimeDays: 365,
        workflow: "issue-tokens.yml",
        autoDispatch: true,
      }),
    /**
     * The signed record's ledger (docs/app.md "Keys and rotation"): `jwks` is the public
     * JWKS of RECORD_SIGNING_KEY (and of older keys whose versions still matter), `branch` the
     * ledger branch, `repository` a separate ledger repository (default: the requests repository).
     * `migrateUntil`: v1 records in status comments last changed before this instant migrate once
     * into the ledger (set it to the upgrade's time); none migrates without it, since anyone with
     * write access could edit a status comment's record before its migration.
     */
    records: z
      .object({
        jwks: recordJwks.optional(),
        migrateUntil: z.string().datetime({ offset: true }).optional(),
        branch: branchName.default(DEFAULT_RECORDS_BRANCH),
        repository: repositorySlug.optional(),
      })
      .strict()
      .default({ branch: DEFAULT_RECORDS_BRANCH }),
    /**
     * The expiry watch (docs/app.md, "Expiry watch"): `sweepWorkflow` is the file, under
     * .github/workflows/, of the no-op scheduled workflow whose successful runs on the default
     * branch make the app sweep; `reminderDays` the thresholds, in days before a device's due date,
     * at which its requester is reminded (once each).
     */
    renewal: z
      .object({
        sweepWorkflow: z
          .string()
          .regex(/^[A-Za-z0-9._-]+\.ya?ml$/)
          .default(DEFAULT_SWEEP_WORKFLOW),
        reminderDays: z
          .array(z.number().int().min(1).max(3650))
          .min(1)
          .max(10)
          .refine((days) => new Set(days).size === days.length, "reminder days must be unique")
          .default([...DEFAULT_REMINDER_DAYS])
          .transform((days) => [...days].sort((a, b) => b - a)),
      })
      .strict()
      .default({ sweepWorkflow: DEFAULT_SWEEP_WORKFLOW, reminderDays: [...DEFAULT_REMINDER_DAYS] }),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

type LabelSpec = z.output<typeof label>;
export interface AccessConfig extends Omit<ParsedConfig, "labels"> {
  /** Fully resolved: every stage/needs label has a name and colour. */
  labels: {
    stages: Record<(typeof STAGE_NAMES)[number], LabelSpec>;
    needs: Record<(typeof NEEDS_NAMES)[number], LabelSpec>;
    onHold: LabelSpec;
  };
}

export function resolveConfig(parsed: ParsedConfig): AccessConfig {
  const defaults = defaultLabels();
  const labels = {
    stages: { ...defaults.stages, ...stripUndefined(parsed.labels.stages ?? {}) },
    needs: { ...defaults.needs, ...stripUndefined(parsed.labels.needs ?? {}) },
    onHold: parsed.labels.onHold ?? defaults.onHold,
  };
  return { ...parsed, labels };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export { isValidDeviceId };
