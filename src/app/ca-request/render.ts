import type { RootCandidate } from "../../certificates/root-candidate.js";
import { visibleText } from "../../config/add-extra-ca.js";
import { CONFIG_PATH } from "../../config/parse.js";
import { CA_STATUS_MARKER, type CaDecision, type CaRequestRecord, type CaStage } from "../../record/ca-request.js";
import { escapeText, formatTime, inlineCode, link, mention, userLink } from "../render/markdown.js";
import {
  approvalNote,
  CA_COMMAND_USAGE,
  CA_COMMANDS,
  CA_REFUSAL_TEXT,
  FINGERPRINT_PREFIX,
  type CaCommandName,
  type CaRefusalCode,
} from "./rules.js";
import type { CaObservation } from "./types.js";

/**
 * What people read of a CA request: the status comment (the root judged, the stage, who acts
 * next), replies to commands, and the pull request the app opens. Every value a person wrote, or
 * a certificate carries, goes through the escapers of src/app/render/markdown.ts. Pure.
 */

const STAGE_TEXT: Record<CaStage, string> = {
  submitted: "waiting for a reviewer",
  "needs-changes": "the form needs changes",
  approved: "approved: the pull request adding the root waits for review and merge",
  added: "added: certificates under this root are accepted",
  rejected: "rejected",
  "already-approved": "this root is already approved",
};

const NEXT: Record<CaStage, string> = {
  submitted:
    "**Next:** a reviewer who is not the requester (and did not write this version of the form) compares the SHA-256 above with the one the CA publishes, then runs the command below, or `/reject REASON`.",
  "needs-changes": "**Next:** the requester fixes the problems below by editing the issue.",
  approved: `**Next:** people with CODEOWNERS rights review and merge the pull request; the root takes effect only from the default branch (${inlineCode(CONFIG_PATH)}).`,
  added: "Nothing left to do: request certificates from this CA for your devices.",
  rejected: "Nothing left to do here: open a new issue to ask again.",
  "already-approved": "Nothing to add: certificates under this root are accepted already.",
};

export function caStatusBody(o: CaObservation, record: CaRequestRecord | null, problem: string | null): string {
  const stage = record?.stage;
  const lines = [CA_STATUS_MARKER, `## Add a certificate authority: ${stage ? STAGE_TEXT[stage] : "not recorded"}`, ""];
  if (o.blocked)
    lines.push(`> [!WARNING]`, `> Nothing on this request is decided or recorded: ${escapeText(o.blocked, 600)}`, "");
  lines.push(...rootTable(o.form.judged, o.form.valid ? o.form.request.name : undefined));
  const problems = o.form.problems.map((p) => escapeText(p.message.replace(/\*\*/g, ""), 400));
  if (problems.length) lines.push("", "**Problems**", "", ...problems.map((p) => `- ${p}`));
  const warnings = (o.form.judged?.warnings ?? []).map((w) => `- ${escapeText(w.message, 300)} (${w.code})`);
  if (warnings.length) lines.push("", "**Warnings**", "", ...warnings);
  if (problem) lines.push("", `> [!CAUTION]`, `> The pull request could not be prepared: ${escapeText(problem, 500)}`);
  if (record) lines.push("", ...recordLines(o, record));
  if (stage) lines.push("", NEXT[stage]);
  if (stage === "submitted" && o.form.judged?.fingerprintSha256) {
    const prefix = o.form.judged.fingerprintSha256.replace(/:/g, "").slice(0, FINGERPRINT_PREFIX);
    lines.push("", `To approve this root: ${inlineCode(`/approve-ca ${prefix} [note]`)}`);
  }
  lines.push("", `Commands: ${CA_COMMANDS.map((c) => inlineCode(CA_COMMAND_USAGE[c].usage)).join(", ")}.`);
  return lines.join("\n");
}

function rootTable(judged: RootCandidate | null, brand?: string): string[] {
  if (!judged?.fingerprintSha256) return ["The root certificate could not be read (see the problems below)."];
  const facts = judged.facts;
  const ccadb = facts
    ? `${escapeText(facts.programs.join(", ") || "no root program")}; ${escapeText(facts.trustBits)}; ${facts.clientAuthEnds ? `client authentication ends ${escapeText(facts.clientAuthEnds.date)}` : "no announced end of client authentication"} (${escapeText(facts.factsSource)})`
    : "not in the committed CCADB facts (they cover the approved brands' roots only): check the root's programs and trust bits at ccadb.org";
  return [
    "| Root certificate | |",
    "| --- | --- |",
    ...(brand ? [`| Added as brand | ${escapeText(visibleText(brand, 64), 80)} |`] : []),
    `| Subject | ${escapeText(judged.subject ?? "", 300)} |`,
    `| SHA-256 | ${inlineCode(judged.fingerprintSha256)} |`,
    `| Key | ${escapeText(judged.key ?? "")} |`,
    `| Valid until | ${judged.notAfter ? formatTime(judged.notAfter) : ""} |`,
    `| Judged | ${judged.verdict === "acceptable" ? "acceptable as a root" : "refused"} |`,
    `| Already approved | ${judged.approvedAs ? `yes, as ${escapeText(judged.approvedAs, 80)}` : "no"} |`,
    `| CCADB | ${ccadb} |`,
  ];
}

function recordLines(o: CaObservation, record: CaRequestRecord): string[] {
  const out: string[] = [];
  const decided = record.decisions.filter((d) => d.outcome === "accepted");
  for (const d of decided)
    out.push(
      `- ${d.command === "approve-ca" ? "Approved" : "Rejected"} by ${userLink(d.by)} ${link(formatTime(d.at), d.url)}${noteOf(d) ? `: ${escapeText(noteOf(d), 300)}` : ""}`,
    );
  if (record.pull) {
    out.push(
      `- Pull request #${record.pull.number} (branch ${inlineCode(record.pull.branch)}) opened ${formatTime(record.pull.at)}`,
    );
    if (record.pull.foreignHead)
      out.push(
        `- **Someone other than the app pushed to the pull request's branch** (head ${inlineCode(record.pull.foreignHead.slice(0, 12))}, the app's commit ${inlineCode(record.pull.commit.slice(0, 12))}): it is not what was approved; review every change it makes, or close it`,
      );
    if (record.stage === "rejected" && o.pullRootTrusted)
      out.push("- **Rejected, yet the root is in the configuration on the default branch**: remove it");
    if (record.content && record.content.sha256 !== record.pull.contentSha256)
      out.push(
        "- The form changed after the pull request was opened: the pull request carries the version approved. Open a new issue for another root.",
      );
  }
  if (record.addedAt)
    out.push(
      `- Trusted by the configuration on ${escapeText(o.defaultBranch, 100)} since ${formatTime(record.addedAt)}`,
    );
  return out.length ? ["**Decisions**", "", ...out] : [];
}

/** What an approval or a rejection said beyond the command's required parts. */
function noteOf(d: CaDecision): string {
  return d.command === "approve-ca" ? approvalNote(d.args) : d.args;
}

/** One reply to a comment: what each of its lines did (or the answer to `/help` or `/status`). */
export function caReply(
  by: string,
  outcomes: ReadonlyArray<{ name: CaCommandName; outcome: "accepted" | CaRefusalCode }>,
): string {
  const help = outcomes.some((o) => o.name === "help");
  if (help)
    return [
      `${mention(by)} commands on a request to add a certificate authority (one per line, at the start of a new comment):`,
      "",
      "| Command | Who | Effect |",
      "| --- | --- | --- |",
      ...CA_COMMANDS.map((c) => {
        const spec = CA_COMMAND_USAGE[c];
        return `| ${inlineCode(spec.usage)} | ${escapeText(spec.who)} | ${escapeText(spec.effect)} |`;
      }),
    ].join("\n");
  const lines = outcomes.map(({ name, outcome }) => {
    if (name === "status") return "the status comment is up to date.";
    const command = inlineCode(`/${name}`);
    if (outcome !== "accepted") return `${command} was not run: ${CA_REFUSAL_TEXT[outcome]} (${outcome}).`;
    return name === "approve-ca"
      ? `approved: the app opens a pull request adding the root to ${inlineCode("certificates.extraCAs")}.`
      : "rejected: the issue is closed.";
  });
  return lines.length === 1
    ? `${mention(by)} ${lines[0]}`
    : [`${mention(by)}`, "", ...lines.map((l) => `- ${l}`)].join("\n");
}

export function caPullTitle(name: string, issue: number): string {
  // A title is plain text; still, no line breaks, control or direction characters, and bounded.
  return `Add certificate authority: ${visibleText(name, 80)} (#${issue})`;
}

export function caPullBody(o: CaObservation, approval: CaDecision, contentSha256: string): string {
  const request = o.form.valid ? o.form.request : null;
  return [
    `Adds the root certificate requested in ${link(`#${o.issue.number}`, o.issue.url)} to ${inlineCode("certificates.extraCAs")} in ${inlineCode(CONFIG_PATH)}.`,
    "",
    ...rootTable(o.form.judged, request?.name),
    "",
    `- Requested by ${userLink(o.issue.author.login)}; published by the CA at ${escapeText(request?.publishedAt ?? "", 300)}`,
    `- Reason: ${escapeText(request?.reason ?? "", 1000)}`,
    `- Approved by ${userLink(approval.by)} ${link(formatTime(approval.at), approval.url)}${approvalNote(approval.args) ? `: ${escapeText(approvalNote(approval.args), 300)}` : ""} (request version ${inlineCode(contentSha256.slice(0, 16))})`,
    "",
    "Review it like any change of the trust configuration: compare the fingerprint with the one the CA publishes, then merge. CODEOWNERS review applies; the app never merges. The root is trusted only once this is on the default branch.",
  ].join("\n");
}

/** The comment lines above the new `extraCAs` entry (made comment-safe by src/config/add-extra-ca.ts). */
export function extraCaComment(o: CaObservation, approval: CaDecision): string[] {
  const request = o.form.valid ? o.form.request : null;
  return [
    `Requested in ${o.issue.url} by ${o.issue.author.login}; approved by ${approval.by} at ${approval.at}`,
    `Published at: ${request?.publishedAt ?? ""}`,
    `Reason: ${request?.reason ?? ""}`,
  ];
}
