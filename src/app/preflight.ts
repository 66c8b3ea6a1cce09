import { createPrivateKey } from "node:crypto";
import { loadRecordSigningKey } from "../record/record-signing-key.js";

/**
 * What `npm start` says before Probot starts (src/app/start.ts): for each setting the app needs,
 * whether it is present, absent, a placeholder (fake) or unreadable, and what follows from that.
 * Pure: it judges an observation of the environment and never prints or returns a value — only
 * states, so no key material can reach a terminal or a log.
 */
export type SettingState = "present" | "absent" | "placeholder" | "unreadable";

export type PreflightCode =
  | `app-id-${SettingState}`
  | `private-key-${SettingState}`
  | `webhook-secret-${SettingState}`
  | `record-key-${SettingState}`
  | "setup-mode"
  | "webhook-proxy-without-client"
  | "ledger-ruleset";

export interface Finding {
  code: PreflightCode;
  /** The setting (an environment variable), or what the note is about. */
  subject: string;
  /** A setting's state; "note" for what holds whatever the settings are. */
  state: SettingState | "note";
  /** What follows, for a person; never quotes a value. */
  message: string;
}

/** What start.ts observed: the environment as Probot will see it (`.env` applied) and the key file Probot would read. */
export interface StartObservation {
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Where PRIVATE_KEY is empty, the key file Probot reads instead: PRIVATE_KEY_PATH, or else the
   * one `*.pem` file of the working directory. `text` is absent when it could not be read.
   */
  keyFile?: { name: string; text?: string; problem?: string };
  /** Whether `smee-client` can be imported (Probot needs it for WEBHOOK_PROXY_URL). */
  smeeClient: boolean;
}

export const SETUP_DOCS = "docs/app.md, “Setting it up, top to bottom”";
const RULESET_DOCS = "docs/app.md, “The ledger branch's ruleset”";
const KEY_DOCS = "docs/app.md, “Keys and rotation”";

/** Values the old .env.example carried, and the usual stand-ins: none is a real setting. */
const PLACEHOLDER_APP_IDS = new Set(["123456", "12345", "1", "0", "your-app-id", "app-id"]);
const PLACEHOLDER_SECRETS = new Set([
  "replace-with-a-long-random-string",
  "development",
  "secret",
  "changeme",
  "change-me",
  "your-webhook-secret",
]);
const PLACEHOLDER_TEXT = /replace me|replace-me|replace with|\.\.\.|…|<[^>]*>|your[-_ ]?key/i;

const blank = (value: string | undefined): value is undefined => value === undefined || value.trim() === "";

export async function preflight(o: StartObservation): Promise<Finding[]> {
  const findings = [
    appIdFinding(o.env.APP_ID),
    privateKeyFinding(o),
    webhookSecretFinding(o.env.WEBHOOK_SECRET),
    await recordKeyFinding(o.env.RECORD_SIGNING_KEY),
  ];
  const registered = findings.slice(0, 2).every((f) => f.state === "present");
  if (!registered) findings.push(setupModeFinding(o.env));
  if (!blank(o.env.WEBHOOK_PROXY_URL) && !o.smeeClient)
    findings.push({
      code: "webhook-proxy-without-client",
      subject: "WEBHOOK_PROXY_URL",
      state: "note",
      message:
        "is set but smee-client is not installed, so Probot relays nothing to this app: run `npm install` in this clone (smee-client is a devDependency)",
    });
  findings.push({
    code: "ledger-ruleset",
    subject: "ledger branch ruleset",
    state: "note",
    message: `checked per repository when the app handles a request there; required in production (${RULESET_DOCS})`,
  });
  return findings;
}

function appIdFinding(value: string | undefined): Finding {
  const subject = "APP_ID";
  if (blank(value))
    return { code: "app-id-absent", subject, state: "absent", message: "the GitHub App is not registered yet" };
  if (PLACEHOLDER_APP_IDS.has(value.trim()))
    return {
      code: "app-id-placeholder",
      subject,
      state: "placeholder",
      message: "an example value, not your App's id",
    };
  if (!/^\d+$/.test(value.trim()))
    return { code: "app-id-unreadable", subject, state: "unreadable", message: "an App id is a number" };
  return { code: "app-id-present", subject, state: "present", message: "set" };
}

/** PRIVATE_KEY as Probot reads it (@probot/get-private-key): base64 allowed, `\n` written out. */
function probotKeyText(value: string): string {
  const decoded =
    Buffer.from(value, "base64").toString("base64") === value ? Buffer.from(value, "base64").toString() : value;
  return decoded.replace(/\\n/g, "\n");
}

function privateKeyFinding(o: StartObservation): Finding {
  const inline = o.env.PRIVATE_KEY;
  const subject = blank(inline) && o.keyFile ? `PRIVATE_KEY (${o.keyFile.name})` : "PRIVATE_KEY";
  const text = !blank(inline) ? probotKeyText(inline) : o.keyFile?.text;
  if (blank(inline) && o.keyFile && o.keyFile.text === undefined)
    return {
      code: "private-key-unreadable",
      subject,
      state: "unreadable",
      message: o.keyFile.problem ?? "cannot be read",
    };
  if (blank(text))
    return { code: "private-key-absent", subject, state: "absent", message: "the GitHub App is not registered yet" };
  if (!isRsaPrivateKey(text))
    return {
      code: "private-key-placeholder",
      subject,
      state: "placeholder",
      message: PLACEHOLDER_TEXT.test(text)
        ? "an example value, not the App's private key"
        : "not a PEM private key GitHub issued (an RSA key): a fake the App cannot sign with",
    };
  return { code: "private-key-present", subject, state: "present", message: "an RSA private key" };
}

function isRsaPrivateKey(text: string): boolean {
  if (!/-----BEGIN (?:RSA )?PRIVATE KEY-----/.test(text)) return false;
  try {
    return createPrivateKey({ key: text, format: "pem" }).asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}

function webhookSecretFinding(value: string | undefined): Finding {
  const subject = "WEBHOOK_SECRET";
  if (blank(value))
    return {
      code: "webhook-secret-absent",
      subject,
      state: "absent",
      message: "deliveries cannot be verified: registering the App (Probot's setup page) sets it",
    };
  if (PLACEHOLDER_SECRETS.has(value.trim()) || PLACEHOLDER_TEXT.test(value))
    return {
      code: "webhook-secret-placeholder",
      subject,
      state: "placeholder",
      message: "an example value: GitHub signs deliveries with the secret set in the App's settings",
    };
  return { code: "webhook-secret-present", subject, state: "present", message: "set" };
}

async function recordKeyFinding(value: string | undefined): Promise<Finding> {
  const subject = "RECORD_SIGNING_KEY";
  const consequence = `the app advances no request until it is set (${KEY_DOCS})`;
  if (blank(value)) return { code: "record-key-absent", subject, state: "absent", message: consequence };
  if (PLACEHOLDER_TEXT.test(value))
    return {
      code: "record-key-placeholder",
      subject,
      state: "placeholder",
      message: `an example value: ${consequence}`,
    };
  try {
    const key = await loadRecordSigningKey(value);
    return { code: "record-key-present", subject, state: "present", message: `${key.alg}, kid ${key.kid}` };
  } catch (error) {
    // loadRecordSigningKey's messages describe the problem and never quote the secret.
    const why = error instanceof Error ? error.message.replace(/^RECORD_SIGNING_KEY: /, "") : "cannot be read";
    return { code: "record-key-unreadable", subject, state: "unreadable", message: `${why}: ${consequence}` };
  }
}

function setupModeFinding(env: StartObservation["env"]): Finding {
  if (env.NODE_ENV === "production")
    return {
      code: "setup-mode",
      subject: "Probot",
      state: "note",
      message: `refuses to start in production without APP_ID and a private key (${SETUP_DOCS})`,
    };
  const port = blank(env.PORT) ? "3000" : env.PORT.trim();
  return {
    code: "setup-mode",
    subject: "Probot",
    state: "note",
    message:
      `serves its setup page while APP_ID or the private key is absent: open http://localhost:${port} and choose ` +
      `“Register GitHub App” (docs/app.md, step 3). A placeholder is not absent: delete it from .env first`,
  };
}

const SHOWN_STATE: Record<Finding["state"], string> = {
  present: "present",
  absent: "absent",
  placeholder: "placeholder (fake)",
  unreadable: "unreadable",
  note: "",
};

/** The findings as lines for a terminal: one per finding, states aligned. */
export function formatPreflight(findings: readonly Finding[]): string {
  const width = Math.max(...findings.map((f) => f.subject.length));
  const lines = findings.map((f) => {
    const state = f.state === "note" ? "" : `${SHOWN_STATE[f.state]}: `;
    return `  ${f.subject.padEnd(width)}  ${state}${f.message}  [${f.code}]`;
  });
  return [`onerecord-access: start-up check (${SETUP_DOCS})`, ...lines, ""].join("\n");
}

/** Whether anything the app needs to run is missing or fake (notes do not count). */
export function preflightFails(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.state !== "present" && f.state !== "note");
}
