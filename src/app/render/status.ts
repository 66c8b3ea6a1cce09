import type { AccessConfig } from "../../config/schema.js";
import { COMMENT_LIMIT, STATUS_MARKER } from "../../record/codec.js";
import type { AccessRecord, CertificateRecord, Stage } from "../../record/schema.js";
import { currentToken, thumbprintFromFingerprint } from "../../record/tokens.js";
import { reviewLines } from "./review.js";
import { deviceStates } from "../state/devices.js";
import { deviceKey } from "../../request/device-id.js";
import { CERTIFICATE_OPTIONS } from "../intake/form.js";
import { auditTrail } from "../state/audit.js";
import { commentUrl } from "../state/reduce.js";
import {
  deviceCertificates,
  devicesAwaitingTokens,
  devicesWithoutValidCertificate,
  outstandingNeeds,
} from "../state/progress.js";
import { escapeText, formatTime, inlineCode, link, userLink } from "./markdown.js";
import { ITEM_TITLE, STAGE_TITLE } from "./titles.js";
import { renewalSection } from "../renewal/render.js";
import { RUN_CLI } from "../../cli/program.js";

/** How much detail a rendering carries; large requests fall back to smaller ones to fit. */
interface Detail {
  devicesInSummary: number;
  deviceRows: number;
  auditRows: number;
}
const LEVELS: Detail[] = [
  { devicesInSummary: 30, deviceRows: 200, auditRows: 200 },
  { devicesInSummary: 10, deviceRows: 50, auditRows: 50 },
  { devicesInSummary: 0, deviceRows: 10, auditRows: 15 },
  { devicesInSummary: 0, deviceRows: 0, auditRows: 0 },
];
/** Leaves room below GitHub's limit for what a person may append by hand before the next event. */
const BUDGET = COMMENT_LIMIT - 2_000;

export const STAGE_ORDER: readonly Stage[] = ["requested", "certification", "certificates", "tokens", "live"];
/**
 * The status comment: what a person new to the process needs (where the request stands, what
 * happens next, what is missing, who ticked what), then the audit trail. A pure view of the
 * signed record in the ledger (docs/app.md, "The signed record"): it holds no record, so editing
 * or deleting it changes nothing, and the app puts it back. Deterministic: the same record
 * renders the same text, so an unchanged request is never rewritten (each edit is a revision in
 * GitHub's history). Always below GitHub's comment limit: detail is reduced until it fits.
 */
export function renderStatusComment(record: AccessRecord, config: AccessConfig): string {
  for (const detail of LEVELS) {
    const body = `${renderVisible(record, config, detail)}\n`;
    if (body.length <= BUDGET) return body;
  }
  return `${renderMinimal(record)}\n`;
}

/** The last resort: where the request stands, and that the rest is in the record. */
function renderMinimal(record: AccessRecord): string {
  return [
    STATUS_MARKER,
    `## Production access request · ${stageName(record)}`,
    "",
    progressLine(record),
    "",
    "The request's history is too large to show here; the app keeps all of it in its signed record on the ledger branch. Comment <code>/status</code> to refresh.",
  ].join("\n");
}

/** The stage as the title names it: a request held back by its form says what is wrong with it. */
function stageName(record: Pick<AccessRecord, "stage" | "form">): string {
  return record.stage === "requested" && !record.form.valid
    ? `${STAGE_TITLE.requested}: form invalid`
    : STAGE_TITLE[record.stage];
}

/** The last `n` entries (none for 0, where `slice(-0)` would give all). */
function lastOf<T>(list: readonly T[], n: number): T[] {
  return n > 0 ? list.slice(-n) : [];
}

/** Said while the record carries comments a rebuild did not replay (see `rebuiltComments` in plan.ts). */
function rebuiltNotice(record: AccessRecord): string[] {
  const rebuilt = record.ignored.filter((i) => i.reason === "rebuilt").length;
  if (!rebuilt) return [];
  return [
    "> [!CAUTION]",
    "> The record of this request was lost or changed outside the app and no earlier version of it verifies, so the",
    `> app rebuilt it: the commands of ${rebuilt} earlier comment(s) were not replayed.`,
    "> Reviewers give their ticks and approvals again.",
    "",
  ];
}

const INCIDENT_TEXT: Record<string, string> = {
  tampered: "was changed outside the app",
  deleted: "was deleted outside the app",
  lost: "was lost (the ledger holds no version of it)",
};

/**
 * Tampering with the ledger, said on the request (newest incident; all of them are in the
 * record's `integrity` trail): which commit, why it did not count, and where the app went on from.
 */
function integrityNotice(record: AccessRecord): string[] {
  const incident = record.integrity.filter((e) => e.kind !== "migrated").at(-1);
  if (!incident) return [];
  const commit = incident.commit ? ` in commit ${inlineCode(incident.commit.slice(0, 12))}` : "";
  const why = incident.code ? ` (${inlineCode(incident.code)})` : "";
  const from = incident.restoredFrom
    ? `the app continued from the last version it signed, commit ${inlineCode(incident.restoredFrom.slice(0, 12))}`
    : "no version the app signed was left";
  return [
    "> [!CAUTION]",
    `> The record of this request ${INCIDENT_TEXT[incident.kind] ?? "changed"}${commit}${why} on ${formatTime(incident.at)}: ${from}.`,
    ...(incident.code === "not-migrated"
      ? [
          "> A record from before the ledger was found in this comment but not migrated: `records.migrateUntil` is not set, or the comment changed after it.",
        ]
      : ["> Nothing that was changed counts. An operator should find out who changed the ledger branch."]),
    "",
  ];
}

function renderVisible(record: AccessRecord, config: AccessConfig, detail: Detail): string {
  const parts: string[] = [STATUS_MARKER, `## Production access request · ${stageName(record)}`, ""];
  parts.push(progressLine(record), "");
  parts.push(...integrityNotice(record), ...rebuiltNotice(record));
  if (record.hold && record.stage !== "rejected") {
    parts.push(
      "> [!WARNING]",
      `> **On hold** since ${formatTime(record.hold.at)} by ${userLink(record.hold.by)}: ` +
        `${escapeText(record.hold.reason)}. Nothing advances until a reviewer lifts the hold.`,
      "",
    );
  }
  if (record.rejection) {
    parts.push(
      "> [!CAUTION]",
      `> **Rejected** on ${formatTime(record.rejection.at)} by ${userLink(record.rejection.by)}: ${escapeText(record.rejection.reason)}`,
      "",
    );
  }
  if (record.ended) {
    parts.push(
      "> [!CAUTION]",
      `> **Access ended** on ${formatTime(record.ended.at)} by ${userLink(record.ended.by)}: ${escapeText(record.ended.reason)}. ` +
        "Every token of this request is revoked.",
      "",
    );
  }
  parts.push(...renewalSection(record, config));
  parts.push(...summaryTable(record, detail), "");
  parts.push("### Next step", "", nextStep(record, config), "");
  const devices = deviceNeeds(record, detail);
  const missing = [...missingItems(record), ...devices.items];
  if (missing.length) parts.push("### What is missing", "", ...missing.map((m) => `- ${m}`), "", ...devices.folded);
  const reviewers = reviewerItems(record, config);
  if (reviewers.length) parts.push("### Waiting for the reviewers", "", ...reviewers.map((m) => `- ${m}`), "");
  parts.push(...reviewLines(record));
  parts.push(...checklistSection(record, config), "");
  if (record.certification || record.certificates.length || record.pullRequests.length)
    parts.push(...certificateSection(record, config, detail), "");
  if (
    record.stage === "tokens" ||
    record.stage === "live" ||
    record.issuance.length ||
    record.issuanceComments.length ||
    record.revocations?.length
  )
    parts.push(...tokenSection(record, config, detail), "");
  parts.push(...auditSection(record, detail), "");
  parts.push(
    "<sub>Kept up to date by the OneRecord access app: edits to this comment are overwritten. Comment " +
      "<code>/help</code> to see the commands you can run, <code>/status</code> to refresh.</sub>",
  );
  return parts.join("\n");
}

/**
 * The stage bar. A rejected request shows the stages it passed, the one it was rejected at and
 * the ones it will not reach (struck): where it stopped, not only that it did. Every emoji has its
 * words beside it ("done", "now", "to come"), so the bar reads where no emoji font is installed.
 */
function progressLine(record: Pick<AccessRecord, "stage" | "transitions">): string {
  if (record.stage === "ended")
    return `${STAGE_ORDER.map((s) => `✅ ${STAGE_TITLE[s]} (done)`).join(" → ")} → ⛔ **Access ended**`;
  if (record.stage === "rejected") {
    const stopped = record.transitions.findLast((t) => t.to === "rejected")?.from ?? "requested";
    const at = Math.max(0, STAGE_ORDER.indexOf(stopped));
    return STAGE_ORDER.map((s, i) =>
      i < at
        ? `✅ ${STAGE_TITLE[s]} (done)`
        : i === at
          ? `⛔ **${STAGE_TITLE[s]}: rejected**`
          : `~~${STAGE_TITLE[s]}~~`,
    ).join(" → ");
  }
  const at = STAGE_ORDER.indexOf(record.stage);
  return STAGE_ORDER.map((s, i) =>
    i < at
      ? `✅ ${STAGE_TITLE[s]} (done)`
      : i === at
        ? `➡️ **${STAGE_TITLE[s]} (now)**`
        : `⬜ ${STAGE_TITLE[s]} (to come)`,
  ).join(" → ");
}

function summaryTable(record: AccessRecord, detail: Detail): string[] {
  const rows: string[] = ["| Request | |", "| --- | --- |", `| Requested by | ${userLink(record.requester)} |`];
  const r = record.request;
  if (r) {
    rows.push(`| Account | ${escapeText(r.account)} |`);
    rows.push(`| Contact | ${escapeText(r.contact)} |`);
    const shown = r.devices
      .slice(0, detail.devicesInSummary)
      .map((d) => escapeText(d))
      .join(", ");
    const more =
      r.devices.length > detail.devicesInSummary
        ? `${shown ? ", " : ""}… (all ${r.devices.length} are listed in the issue)`
        : "";
    rows.push(`| Devices | ${r.devices.length}${shown || more ? `: ${shown}${more}` : ""} |`);
    rows.push(`| Certificate option | ${escapeText(CERTIFICATE_OPTIONS[r.certificateOption - 1]!)} |`);
    rows.push(`| Egress networks | ${r.networkPaths.map((n) => escapeText(n)).join(", ")} |`);
  } else {
    rows.push("| Form | not valid yet: see what is missing below |");
  }
  if (record.certification)
    rows.push(`| Approved request | form version ${inlineCode(record.certification.requestSha256.slice(0, 12))} |`);
  return rows;
}

function nextStep(record: AccessRecord, config: AccessConfig): string {
  const requester = userLink(record.requester);
  if (record.stage === "rejected") return "Nothing: the request is closed. Open a new request if circumstances change.";
  if (record.stage === "ended")
    return "Nothing: this request's access ended and every token is revoked. Open a new request to be granted access again.";
  if (record.hold && record.stage !== "live")
    return `A reviewer resolves the hold (${escapeText(record.hold.reason)}) and lifts it with ${inlineCode("/unhold")}.`;
  switch (record.stage) {
    case "requested":
      return (
        `${requester}: edit this issue (the **⋯** menu → **Edit**) and fix the fields ` +
        `listed under *What is missing*. The app checks the form again as soon as you save.`
      );
    case "certification":
      return [
        `${requester}: nothing to do here now. OneRecord contacts you to meet for **certification**: the remaining ` +
          "legal agreements are signed, the account structure and network paths are reviewed, and you demonstrate the " +
          "solution (privacy and security).",
        `Reviewers tick each item as it is done; when all are ticked, a reviewer who is not the requester approves, ` +
          "and this comment then asks you for the devices' certificates.",
      ].join(" ");
    case "certificates": {
      const pattern = config.certificates.pathPattern.replace("{request}", String(record.issue));
      const where = inlineCode(pattern.replace("{device}", "<device-id>"));
      const how =
        record.request?.certificateOption === 2
          ? optionTwoNext(record, config, requester, where)
          : `${requester}: commit one mutual-TLS client certificate per device, issued by an approved CA (never ` +
            `self-signed; public certificate and intermediates only, no private key), as ${where} in a pull request.`;
      return `${how} The certificate check runs on the pull request; once it is merged, the app re-validates the files and records them here.`;
    }
    case "tokens":
      if (pendingIssuance(record).length) {
        return (
          `The ${inlineCode(config.tokens.workflow)} workflow reported tokens from a run that has not completed ` +
          `yet. The app counts them once GitHub reports that run completed successfully; nothing to do meanwhile.`
        );
      }
      return (
        `A OneRecord maintainer runs the ${inlineCode(config.tokens.workflow)} workflow for request ${inlineCode(String(record.issue))}. ` +
        `Each device gets one token bound to its certificate, delivered encrypted to that certificate's key.`
      );
    case "live": {
      const other = deviceStates(record).filter((d) => d.state !== "live");
      if (other.length)
        return (
          `${other.length} device(s) without a live token (${other
            .slice(0, 5)
            .map((d) => `${escapeText(d.device)}: ${d.state}`)
            .join(", ")}${other.length > 5 ? ", …" : ""}): a new token needs a renewed certificate ` +
          "(a certificate pull request) or a reviewer's `/reissue-tokens DEVICE|all REASON`; the other devices keep working."
        );
      return (
        "Nothing: every device has a live token. To rotate a certificate, open a new certificate " +
        "pull request; reviewers can ask for new tokens with `/reissue-tokens DEVICE|all REASON`."
      );
    }
  }
  return "";
}

function missingItems(record: AccessRecord): string[] {
  const out: string[] = [];
  if (!record.form.valid && (record.stage === "requested" || !record.form.applied)) {
    for (const p of record.form.problems) out.push(p.message);
  }
  if (!record.form.applied)
    out.push(
      "The form was edited after certification was approved; the edits are not applied. A reviewer can `/revoke-certification` to review the new version.",
    );
  return out;
}

/** Devices listed one by one in *What is missing*; beyond this, a count and a folded list. */
const FEW_DEVICES = 5;

/** Per-device needs (certificates, tokens): a few inline, many as one counted line with the list folded. */
function deviceNeeds(record: AccessRecord, detail: Detail): { items: string[]; folded: string[] } {
  if (record.stage === "certificates") {
    const lines = devicesWithoutValidCertificate(record).map((d) => {
      const reason = d.certificate
        ? `invalid (${d.certificate.errors.map((e) => escapeText(e.message, 160)).join("; ") || "see the PR check"})`
        : "no certificate merged yet";
      return { device: d.device, reason, invalid: !!d.certificate };
    });
    if (lines.length <= FEW_DEVICES)
      return { items: lines.map((l) => `Certificate for ${inlineCode(l.device)}: ${l.reason}`), folded: [] };
    const invalid = lines.filter((l) => l.invalid).length;
    const counts = [
      lines.length - invalid ? `${lines.length - invalid} not merged yet` : "",
      invalid ? `${invalid} invalid` : "",
    ];
    const total = record.request?.devices.length ?? lines.length;
    const item = `Certificates for ${lines.length} of ${total} devices: ${counts.filter(Boolean).join(", ")}`;
    const summary = `The ${lines.length} devices without a valid certificate`;
    return {
      items: [item],
      folded: fold(
        summary,
        lines.map((l) => `${inlineCode(l.device)}: ${l.reason}`),
        detail,
      ),
    };
  }
  if (record.stage === "tokens") {
    const waiting = devicesAwaitingTokens(record);
    if (waiting.length <= FEW_DEVICES)
      return {
        items: [`Tokens for ${waiting.length} device(s): ${waiting.map((d) => escapeText(d)).join(", ")}`],
        folded: [],
      };
    const summary = `The ${waiting.length} devices waiting for a token`;
    return {
      items: [`Tokens for ${waiting.length} device(s)`],
      folded: fold(
        summary,
        waiting.map((d) => inlineCode(d)),
        detail,
      ),
    };
  }
  return { items: [], folded: [] };
}

/** A folded list of at most `detail.deviceRows` lines, with the rest counted. */
function fold(summary: string, lines: readonly string[], detail: Detail): string[] {
  if (!detail.deviceRows) return [];
  const shown = lines.slice(0, detail.deviceRows).map((l) => `- ${l}`);
  const more = lines.length > shown.length ? [`- … and ${lines.length - shown.length} more`] : [];
  return [`<details><summary>${summary}</summary>`, "", ...shown, ...more, "", "</details>", ""];
}

/**
 * What the reviewers still do at certification: the requester's *What is missing* never lists
 * commands only a reviewer can run, so a requester does not take them for their own to-do list.
 */
function reviewerItems(record: AccessRecord, config: AccessConfig): string[] {
  if (record.stage !== "certification") return [];
  return outstandingNeeds(record, config.checklist).map((need) =>
    need === "certification"
      ? `Certification approval by a reviewer who is not the requester (${inlineCode("/approve-certification")})`
      : `${ITEM_TITLE[need] ?? need} (${inlineCode(`/check ${need}`)})`,
  );
}

/** Why a tick no longer counts: the form fields it reviewed changed since. */
function voidedTickNote(v: AccessRecord["voidedTicks"][number]): string {
  // In a table cell: escaped text, never a code span (a `|` splits the cell even inside code).
  return `${escapeText(v.item, 60)} no longer counts: ${v.changed.map((f) => escapeText(f, 60)).join(", ")} changed since it was ticked`;
}

/**
 * The form's Stage-testing checkbox is the requester's own attestation (a valid form carries it);
 * the item's tick is a reviewer's confirmation. The row shows both, so neither is mistaken for
 * the other.
 */
function attestation(record: AccessRecord, item: string): string {
  if (item !== "stage-testing" || !record.request) return "";
  return ` (attested in the form by the requester ${userLink(record.requester)})`;
}

function checklistSection(record: AccessRecord, config: AccessConfig): string[] {
  const rows = [
    "### Certification checklist",
    "",
    "| Item | Done | By | When | Link |",
    "| --- | :---: | --- | --- | --- |",
  ];
  const ticked = new Map(record.checklist.map((c) => [c.item, c]));
  const voided = new Map(record.voidedTicks.map((v) => [v.item, v]));
  for (const item of config.checklist) {
    const t = ticked.get(item);
    const title =
      `${ITEM_TITLE[item] ?? escapeText(item)}${t?.note ? ` — ${escapeText(t.note, 120)}` : ""}` +
      attestation(record, item);
    const v = voided.get(item);
    rows.push(
      t
        ? `| ${title} | ✅ done | ${userLink(t.by)} | ${formatTime(t.at)} | ${link("comment", t.url)} |`
        : v
          ? `| ${title} | ⬜ not done: ${voidedTickNote(v)} | ${userLink(v.by)} | ${formatTime(v.at)} | ${link("comment", v.url)} |`
          : `| ${title} | ⬜ not yet | | | |`,
    );
  }
  const c = record.certification;
  rows.push(
    c
      ? `| **Certification approved**${c.note ? ` — ${escapeText(c.note, 120)}` : ""} ` +
          `| ✅ done | ${userLink(c.by)} | ${formatTime(c.at)} | ${link("comment", c.url)} |`
      : "| **Certification approved** (demo, by a reviewer who is not the requester) | ⬜ not yet | | | |",
  );
  return rows;
}

function certificateSection(record: AccessRecord, config: AccessConfig, detail: Detail): string[] {
  const out = ["### Device certificates", ""];
  if (record.pullRequests.length) {
    const prs = record.pullRequests.map((p) => `${link(`#${p.number}`, p.url)} (${p.state})`).join(", ");
    out.push(`Pull requests: ${prs}`, "");
  }
  const devices = deviceCertificates(record);
  const valid = devices.filter((d) => d.certificate?.verdict === "valid").length;
  out.push(
    `**${valid} of ${devices.length}** device(s) have a valid certificate on the default branch (${inlineCode(config.certificates.pathPattern)}).`,
    "",
  );
  const rows = certificateHistory(record).slice(0, detail.deviceRows);
  if (rows.length) {
    out.push(
      "<details><summary>Certificates recorded</summary>",
      "",
      "| Device | Verdict | Certificate (x5t#S256) | Not after | PR |",
      "| --- | --- | --- | --- | --- |",
    );
    const obtained = obtainedByPrint(record);
    for (const { device, certificate: c, replacedBy } of rows) {
      const verdict = replacedBy ? `replaced by #${replacedBy.pr}` : c.verdict === "valid" ? "✅ valid" : "❌ invalid";
      const name = replacedBy ? `↳ ${escapeText(device)}` : escapeText(device);
      const order = c.fingerprintSha256 ? obtained.get(thumbprintFromFingerprint(c.fingerprintSha256)) : undefined;
      const by = order ? ` — obtained by OneRecord (option 2), ${link("ACME order", order)}` : "";
      out.push(
        `| ${name} | ${verdict}${by} | ${thumbprintOf(c)} | ${c.notAfter ? formatTime(c.notAfter) : "—"} | #${c.pr} |`,
      );
    }
    const total = certificateHistory(record).length;
    if (total > rows.length) out.push(`| … | | ${total - rows.length} more in the record | | |`);
    out.push("", ...fingerprintList(rows), "</details>");
  }
  return out;
}

interface HistoryRow {
  device: string;
  certificate: CertificateRecord;
  /** The certificate that took this one's place (absent for the device's current one). */
  replacedBy?: CertificateRecord;
}

/**
 * Each device's certificates, in request order: the current one, then the ones it replaced,
 * newest first. A replaced certificate stays visible: tokens bound to it may still be held.
 */
function certificateHistory(record: AccessRecord): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const { device, certificate } of deviceCertificates(record)) {
    if (!certificate) continue;
    rows.push({ device, certificate });
    const older = record.certificates
      .filter((c) => c !== certificate && deviceKey(c.device) === deviceKey(device))
      .sort((a, b) => (a.mergedAt < b.mergedAt ? 1 : a.mergedAt > b.mergedAt ? -1 : b.pr - a.pr));
    let next = certificate;
    for (const c of older) {
      rows.push({ device, certificate: c, replacedBy: next });
      next = c;
    }
  }
  return rows;
}

/** The ACME order of each certificate OneRecord obtained (option 2), by its `x5t#S256`. */
function obtainedByPrint(record: AccessRecord): Map<string, string> {
  return new Map((record.obtained ?? []).map((o) => [o.x5tS256, o.orderUrl]));
}

/** RFC 8705 `x5t#S256`: the value the token's `cnf` and the issuance comment carry. */
function thumbprintOf(c: CertificateRecord): string {
  return c.fingerprintSha256 ? inlineCode(thumbprintFromFingerprint(c.fingerprintSha256)) : "—";
}

/** The colon-hex SHA-256 fingerprints (what `openssl x509 -fingerprint -sha256` prints), folded. */
function fingerprintList(rows: readonly HistoryRow[]): string[] {
  const lines = rows
    .filter((r) => r.certificate.fingerprintSha256)
    .map(
      (r) =>
        `- ${escapeText(r.device)}${r.replacedBy ? ` (replaced, #${r.certificate.pr})` : ""}: ${inlineCode(r.certificate.fingerprintSha256!)}`,
    );
  if (!lines.length) return [];
  return ["<details><summary>SHA-256 fingerprints</summary>", "", ...lines, "", "</details>", ""];
}

function tokenSection(record: AccessRecord, config: AccessConfig, detail: Detail): string[] {
  const devices = record.request?.devices ?? [];
  const revoked = new Set((record.revocations ?? []).map((r) => r.jti));
  const holding = devices.filter((d) => {
    const token = currentToken(record, d);
    return token && !revoked.has(token.jti);
  }).length;
  const out = [
    "### Tokens",
    "",
    `**${holding} of ${devices.length}** device(s) hold a live token bound to their current certificate.`,
  ];
  const standIns = record.issuance.filter((t) => t.jti === "").length;
  if (standIns)
    out.push(
      "",
      `${standIns} older token(s) are kept in the record without their ids (their device, run and expiry only).`,
    );
  if (record.reissueRequested.length) {
    out.push(
      "",
      `Reissue asked for ${record.reissueRequested.length} device(s) (latest by ` +
        `${userLink(record.reissueRequested.at(-1)!.by)}: ${escapeText(record.reissueRequested.at(-1)!.reason, 120)}).`,
    );
  }
  // Said where reviewers look: without the JWKS no report can prove it came from the protected
  // environment (any workflow of the repository can post as github-actions[bot]), so none counts.
  if (!config.tokens.jwks) {
    out.push(
      "",
      [
        "> [!WARNING]",
        `> No issuance report is accepted until the configuration publishes ${inlineCode("tokens.jwks")}: a maintainer`,
        `> copies the token workflow's ${inlineCode("jwks")} output (docs/token-workflow.md) into`,
        `> ${inlineCode(".github/onerecord-access.yml")} on the default branch.`,
      ].join("\n"),
    );
  }
  out.push(...voidedRunLines(record));
  out.push(...deviceStateLines(record, detail));
  out.push(...revocationLines(record, detail));
  out.push(...deviceTokenLines(record, detail));
  out.push(...issuanceReportRows(record, detail));
  return out;
}

/**
 * Where each device's token is: the issuance comment holding its JWE (encrypted to the device's
 * certificate key, so only the device's owner can read it), and the command that decrypts it.
 */
/** Each device's state after live (src/app/state/devices.ts), in words, once any token was issued. */
function deviceStateLines(record: AccessRecord, detail: Detail): string[] {
  const states = deviceStates(record);
  if (!states.length) return [];
  const rows = states.slice(0, detail.deviceRows);
  return [
    "",
    "| Device | State | Newest token expires |",
    "| --- | --- | --- |",
    ...rows.map((d) => `| ${escapeText(d.device)} | ${d.state} | ${d.expiresAt ? formatTime(d.expiresAt) : "—"} |`),
    ...(states.length > rows.length ? [`| … | | ${states.length - rows.length} more in the record |`] : []),
  ];
}

/**
 * The tokens revoked (`/revoke-tokens`, `/revoke-access`), newest first: which device, who, when
 * and why. Revoked tokens fail verification once the API reads the request's status list.
 */
function revocationLines(record: AccessRecord, detail: Detail): string[] {
  const revocations = record.revocations ?? [];
  if (!revocations.length) return [];
  const rows = [...revocations].reverse().slice(0, detail.deviceRows);
  return [
    "",
    `**${revocations.length}** token(s) revoked:`,
    "",
    "| Device | Revoked | By | Reason |",
    "| --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${escapeText(r.device)} (revoked) | ${link(formatTime(r.at), r.url)} | ${userLink(r.by)} | ${escapeText(r.reason, 120)} |`,
    ),
    ...(revocations.length > rows.length ? [`| … | | | ${revocations.length - rows.length} more in the record |`] : []),
  ];
}

function deviceTokenLines(record: AccessRecord, detail: Detail): string[] {
  const held = (record.request?.devices ?? []).flatMap((device) => {
    const token = currentToken(record, device);
    return token ? [{ device, token }] : [];
  });
  if (!held.length) return [];
  const out = [
    "",
    "<details><summary>Where each device's token is</summary>",
    "",
    "| Device | Token expires | Encrypted token (JWE) |",
    "| --- | --- | --- |",
  ];
  for (const { device, token } of held.slice(0, detail.deviceRows)) {
    const where = token.comment ? link("issuance comment", commentUrl(record.issueUrl, token.comment)) : "—";
    out.push(`| ${escapeText(device)} | ${formatTime(token.expiresAt)} | ${where} |`);
  }
  if (held.length > detail.deviceRows) out.push(`| … | | ${held.length - detail.deviceRows} more in the record |`);
  out.push(
    "",
    "The device's owner decrypts its JWE with the device's private key, with the command its issuance comment " +
      "shows next to the tokens (docs/tokens.md, *How the customer decrypts*).",
    "",
    "</details>",
  );
  return out;
}

/**
 * Issuance reports the app did not (yet) count: pending ones wait for their run to succeed, and
 * the parts of one run attempt wait together, so they show as one row.
 */
function issuanceReportRows(record: AccessRecord, detail: Detail): string[] {
  type Report = AccessRecord["issuanceComments"][number];
  const byAttempt = new Map<string, Report[]>();
  for (const j of pendingIssuance(record)) {
    const key = `${j.runId}:${j.runAttempt ?? 1}`;
    byAttempt.set(key, [...(byAttempt.get(key) ?? []), j]);
  }
  const refused = record.issuanceComments.filter((j) => !j.accepted && !j.pending);
  if (!byAttempt.size && !refused.length) return [];
  const out = ["", "| Issuance report | Run | Tokens | Status |", "| --- | --- | ---: | --- |"];
  const groups = [...byAttempt.values(), ...lastOf(refused, detail.auditRows).map((j) => [j])].sort(
    (a, b) => a[0]!.comment - b[0]!.comment,
  );
  for (const parts of groups) {
    const j = parts[0]!;
    const first = link(parts.length > 1 ? "the first" : "comment", commentUrl(record.issueUrl, j.comment));
    const where = parts.length > 1 ? `${parts.length} comments, from ${first}` : first;
    const run = j.runId
      ? j.runUrl
        ? link(`${j.runId}${j.runAttempt && j.runAttempt > 1 ? ` #${j.runAttempt}` : ""}`, j.runUrl)
        : String(j.runId)
      : "—";
    const tokens = parts.every((p) => p.tokens === undefined) ? "—" : parts.reduce((n, p) => n + (p.tokens ?? 0), 0);
    const status = j.pending
      ? `⏳ pending confirmation: ${escapeText(j.reason ?? "the run has not completed", 200)}`
      : `❌ refused: ${escapeText(j.reason ?? "not accepted", 200)}`;
    out.push(`| ${where} | ${run} | ${tokens} | ${status} |`);
  }
  if (refused.length > detail.auditRows)
    out.push(`| … | | | ${refused.length - detail.auditRows} older refused reports are kept in the record |`);
  return out;
}

const BLOCK_WORDS = {
  reject: "rejected",
  hold: "put on hold",
  revoke: "no longer approved",
  "not-approved": "not approved",
  ended: "access ended",
} as const;

/** Runs that completed after a block: their tokens were issued but never count. */
function voidedRunLines(record: AccessRecord): string[] {
  if (!record.voidedRuns.length) return [];
  const lines = record.voidedRuns.slice(-10).map((v) => {
    const run = link("run", v.runUrl);
    const block = `${BLOCK_WORDS[v.blockedBy.kind]} by ${userLink(v.blockedBy.by)}`;
    return `- ${v.tokens} token(s) of a ${run} completed ${formatTime(v.at)} were issued after the request was ${block}: they do not count.`;
  });
  const more = record.voidedRuns.length > 10 ? [`- … ${record.voidedRuns.length - 10} more in the record`] : [];
  return ["", "**Tokens that do not count** (revoke them with the token tooling):", "", ...lines, ...more];
}

function pendingIssuance(record: AccessRecord): AccessRecord["issuanceComments"] {
  return record.issuanceComments.filter((j) => j.pending);
}

function auditSection(record: AccessRecord, detail: Detail): string[] {
  const entries = auditTrail(record);
  const shown = lastOf(entries, detail.auditRows);
  const out = [
    `<details><summary><b>Audit trail</b> (${entries.length} ${entries.length === 1 ? "entry" : "entries"})</summary>`,
    "",
    "| When | Who | What | Link |",
    "| --- | --- | --- | --- |",
  ];
  if (shown.length < entries.length)
    out.push(
      `| | | ${entries.length - shown.length} older ${entries.length - shown.length === 1 ? "entry is" : "entries are"} kept in the record | |`,
    );
  for (const e of shown)
    out.push(`| ${formatTime(e.at)} | ${userLink(e.by)} | ${escapeText(e.what, 200)} | ${link("link", e.url)} |`);
  out.push("", "</details>");
  return out;
}

/**
 * Option 2's next step (docs/option-2.md): a maintainer runs the obtain workflow; once its
 * report is accepted, the app's pull request commits the certificates, and the requester opens
 * the keys posted encrypted to their delivery key, then says `/keys-received`.
 */
function optionTwoNext(record: AccessRecord, config: AccessConfig, requester: string, where: string): string {
  const workflow = inlineCode(config.certificates.onBehalf?.workflow ?? "obtain-certificates.yml");
  const obtained = record.obtained ?? [];
  if (obtained.length === 0)
    return (
      `OneRecord obtains a certificate for each device on the requester's behalf (option 2): a OneRecord maintainer runs the ${workflow} workflow for request ${inlineCode(String(record.issue))}. ` +
      `Each device's private key is then posted here encrypted to the delivery public key of the form, and the app opens a pull request committing the public certificates to ${where}.`
    );
  const removed = new Set((record.keysRemoved ?? []).map((r) => r.comment));
  const waiting = obtained.some((o) => !removed.has(o.comment));
  const keys = waiting
    ? ` ${requester}: open each device's key with ${inlineCode(`${RUN_CLI} decrypt-key --key delivery.key --out DEVICE.key --cert DEVICE.pem DEVICE.jwe`)}, then comment ${inlineCode("/keys-received")} so the app removes the comment holding them.`
    : "";
  return `OneRecord obtained ${obtained.length} device certificate(s) (option 2) and opened the pull request committing them to ${where}.${keys}`;
}
