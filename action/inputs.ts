import * as core from "@actions/core";
import * as z from "zod";
import { parseValidationTime } from "../src/certificates/time.js";
import { CONFIG_PATH } from "../src/config/parse.js";
import { OneRecordError } from "../src/errors.js";
import { maskSigningKey } from "./issue-tokens/mask.js";

/**
 * Every input of the Action, read and checked once (as actions/checkout does), so the rest of the
 * code works with one typed object and a bad input fails before any work with a message that
 * names it.
 */
export const SUPPORTED_MODES = ["validate-certificates", "issue-tokens", "obtain-certificates"] as const;
export type Mode = (typeof SUPPORTED_MODES)[number];

export interface ActionInputs {
  mode: Mode;
  /** Repository-relative globs; a file is selected when it matches any of them. */
  paths: string[];
  /** undefined: decided by the event (true on pull requests). */
  changedOnly: boolean | undefined;
  validationTime: Date | undefined;
  /** undefined: from the configuration (`certificates.warnDays`). */
  warnDays: number | undefined;
  /** Repository-relative path of the configuration file. */
  config: string;
  githubToken: string;
  /** Set exactly when mode is `issue-tokens` or `obtain-certificates` (which signs its report with the same key). */
  issueTokens: IssueTokensInputs | undefined;
  /** Set exactly when mode is `obtain-certificates`. */
  obtainCertificates: ObtainInputs | undefined;
}

/** The CA's External Account Binding and the ACME account key: secrets of the protected environment. */
export interface ObtainInputs {
  eabKid: string;
  eabHmac: string;
  accountKey: string;
}

export interface IssueTokensInputs {
  /** The request issue's number. */
  request: number;
  /** The issuer's private signing key (PEM or JWK). Masked before anything is parsed or logged. */
  signingKey: string;
  /**
   * A token that reads the ledger when `records.repository` is another repository (which the
   * workflow's GITHUB_TOKEN cannot read); undefined: `github-token` reads it.
   */
  recordsToken: string | undefined;
}

export const INPUT_NAMES = [
  "mode",
  "paths",
  "changed-only",
  "validation-time",
  "warn-days",
  "config",
  "github-token",
  "request",
  "signing-key",
  "records-token",
  "acme-eab-kid",
  "acme-eab-hmac",
  "acme-account-key",
] as const;
export type RawInputs = Record<(typeof INPUT_NAMES)[number], string>;

/** Inputs that are secret: an error never quotes them. */
const SECRET_INPUTS = new Set([
  "github-token",
  "signing-key",
  "records-token",
  "acme-eab-kid",
  "acme-eab-hmac",
  "acme-account-key",
]);

/** A path or glob inside the repository: never absolute, never climbing out with `..`. */
const repositoryRelative = (what: string) =>
  z
    .string()
    .refine(
      (p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p) && !p.includes("\\"),
      `${what} must be relative to the repository root, with forward slashes`,
    )
    .refine((p) => !p.split("/").includes(".."), `${what} must stay inside the repository (no "..")`);

const schema = z
  .object({
    mode: z
      .string()
      .transform((m) => m || "validate-certificates")
      .refine((m): m is Mode => (SUPPORTED_MODES as readonly string[]).includes(m), {
        message: `unsupported mode; this version of the Action supports: ${SUPPORTED_MODES.join(", ")}`,
      }),
    paths: z
      .string()
      .transform((text) =>
        text
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => line.length > 0),
      )
      .transform((globs) => (globs.length > 0 ? globs : ["certificates/**"]))
      .pipe(
        z.array(
          repositoryRelative("every glob").refine(
            (g) => !g.startsWith("!"),
            "negated globs (!) are not supported; list the globs to include",
          ),
        ),
      ),
    "changed-only": z
      .string()
      // The YAML 1.2 core-schema booleans, as core.getBooleanInput accepts them.
      .refine((v) => /^(|true|True|TRUE|false|False|FALSE)$/.test(v), "must be true or false")
      .transform((v) => (v === "" ? undefined : v.toLowerCase() === "true")),
    "validation-time": z
      .string()
      .refine(
        (v) => v === "" || parseValidationTime(v) !== undefined,
        "must be an ISO-8601 time on the calendar, such as 2026-01-31T12:00:00Z",
      )
      .transform((v) => (v === "" ? undefined : parseValidationTime(v))),
    "warn-days": z
      .string()
      .refine(
        (v) => v === "" || (/^\d{1,4}$/.test(v) && Number(v) <= 3650),
        "must be a whole number of days from 0 to 3650",
      )
      .transform((v) => (v === "" ? undefined : Number(v))),
    config: z
      .string()
      .transform((v) => v || CONFIG_PATH)
      .pipe(repositoryRelative("the configuration path")),
    "github-token": z.string(),
    request: z.string(),
    "signing-key": z.string(),
    "records-token": z.string(),
    "acme-eab-kid": z.string(),
    "acme-eab-hmac": z.string(),
    "acme-account-key": z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.mode === "obtain-certificates")
      for (const name of ["acme-eab-kid", "acme-eab-hmac", "acme-account-key"] as const)
        if (v[name].trim() === "")
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `required in mode obtain-certificates (the environment secret ${name.toUpperCase().replace(/-/g, "_")})`,
          });
    // The token mode's inputs are required there (and by obtain-certificates, which signs its
    // report with the token key) and ignored by the other modes.
    if (v.mode !== "issue-tokens" && v.mode !== "obtain-certificates") return;
    if (!/^[1-9]\d{0,9}$/.test(v.request.trim()))
      ctx.addIssue({
        code: "custom",
        path: ["request"],
        message:
          "the request issue number is required in modes issue-tokens and obtain-certificates (a positive whole number)",
      });
    if (v["signing-key"].trim() === "") {
      ctx.addIssue({
        code: "custom",
        path: ["signing-key"],
        message:
          "the signing key is required in modes issue-tokens and obtain-certificates (the environment secret ONERECORD_TOKEN_SIGNING_KEY)",
      });
    }
  });

/** Pure: raw input strings (as the runner passes them) to the typed inputs, or an error naming the input. */
export function parseInputs(raw: RawInputs): ActionInputs {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? "(inputs)");
    // The value is quoted to help fix it, except secrets (the token, the signing key), which are never echoed.
    const value = SECRET_INPUTS.has(name) ? "" : ` (got "${String(raw[name as keyof RawInputs] ?? "").slice(0, 80)}")`;
    throw new OneRecordError("input-invalid", `Input "${name}": ${issue.message}${value}`, { field: name });
  }
  const v = result.data;
  return {
    mode: v.mode,
    paths: v.paths,
    changedOnly: v["changed-only"],
    validationTime: v["validation-time"],
    warnDays: v["warn-days"],
    config: v.config,
    githubToken: v["github-token"],
    obtainCertificates:
      v.mode === "obtain-certificates"
        ? { eabKid: v["acme-eab-kid"].trim(), eabHmac: v["acme-eab-hmac"].trim(), accountKey: v["acme-account-key"] }
        : undefined,
    issueTokens:
      v.mode === "issue-tokens" || v.mode === "obtain-certificates"
        ? {
            request: Number(v.request.trim()),
            signingKey: v["signing-key"],
            recordsToken: v["records-token"].trim() || undefined,
          }
        : undefined,
  };
}

/** The edge: reads `INPUT_*` through @actions/core, once. */
export function readInputs(getInput: (name: string) => string = (name) => core.getInput(name)): ActionInputs {
  const raw = Object.fromEntries(INPUT_NAMES.map((name) => [name, getInput(name)])) as RawInputs;
  // Masked first, before validation or anything else can print them.
  if (raw["signing-key"]) maskSigningKey(raw["signing-key"]);
  if (raw["github-token"]) core.setSecret(raw["github-token"]);
  if (raw["records-token"]) core.setSecret(raw["records-token"]);
  for (const name of ["acme-eab-hmac", "acme-account-key"] as const)
    for (const line of raw[name].split(/\r?\n/)) if (line.trim()) core.setSecret(line.trim());
  return parseInputs(raw);
}
