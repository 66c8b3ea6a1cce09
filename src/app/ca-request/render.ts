import type { RootCandidate } from "../../certificates/root-candidate.js";
import { CONFIG_PATH } from "../../config/parse.js";
import type { CaDecision, CaRequestRecord, CaStage } from "../../record/ca-request.js";
import { escapeText, formatTime, inlineCode, link, mention, userLink } from "../render/markdown.js";
import { CA_COMMAND_USAGE, CA_COMMANDS, CA_REFUSAL_TEXT, type CaRefusalCode } from "./rules.js";
import type { CaObservation, ObservedCaLine } from "./types.js";

/**
 * What people read of a CA request: the status comment (the root judged, the stage, who acts
 * next), replies to commands, and the pull request the app opens. Every value a person wrote, or
 * a certificate carries, goes through the escapers of src/app/render/markdown.ts. Pure.
 */
export const CA_STATUS_MARKER = "<!-- onerecord-access:ca-status -->";

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
    "**Next:** a reviewer who is not the requester checks the root with the CA (the address it publishes it at) and runs `/approve-ca [note]`, or `/reject REASON`.",
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
  lines.push(...rootTable(o.form.judged));
  const problems = o.form.problems.map((p) => escapeText(p.message.replace(/\*\*/g, ""), 400));
  if (problems.length) lines.push("", "**Problems**", "", ...problems.map((p) => `- ${p}`));
  const warnings = (o.form.judged?.warnings ?? []).map((w) => `- ${escapeText(w.message, 300)} (${w.code})`);
  if (warnings.length) lines.push("", "**Warnings**", "", ...warnings);
  if (problem) lines.push("", `> [!CAUTION]`, `> The pull request could not be prepared: ${escapeText(problem, 500)}`);
  if (record) lines.push("", ...recordLines(o, record));
  if (stage) lines.push("", NEXT[stage]);
  lines.push("", `Commands: ${CA_COMMANDS.map((c) => inlineCode(CA_COMMAND_USAGE[c].usage)).join(", ")}.`);
  return lines.join("\n");
}

function rootTable(judged: RootCandidate | null): string[] {
  if (!judged?.fingerprintSha256) return ["The root certificate could not be read (see the problems below)."];
  const facts = judged.facts;
  const ccadb = facts
    ? `${escapeText(facts.programs.join(", ") || "no root program")}; ${escapeText(facts.trustBits)}; ${facts.clientAuthEnds ? `client authentication ends ${escapeText(facts.clientAuthEnds.date)}` : "no announced end of client authentication"} (${escapeText(facts.factsSource)})`
    : "not in the committed CCADB facts (they cover the approved brands' roots only): check the root's programs and trust bits at ccadb.org";
  return [
    "| Root certificate | |",
    "| --- | --- |",
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
      `- ${d.command === "approve-ca" ? "Approved" : "Rejected"} by ${userLink(d.by)} ${link(formatTime(d.at), d.url)}${d.args ? `: ${escapeText(d.args, 300)}` : ""}`,
    );
  if (record.pull) {
    out.push(
      `- Pull request #${record.pull.number} (branch ${inlineCode(record.pull.branch)}) opened ${formatTime(record.pull.at)}`,
    );
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

export function caReply(
  line: Pick<ObservedCaLine, "by"> & { name: ObservedCaLine["name"] | "status" | "help"; reviewer?: boolean },
  outcome: "accepted" | CaRefusalCode,
): string {
  if (line.name === "help")
    return [
      `${mention(line.by)} commands on a request to add a certificate authority (one per line, at the start of a new comment):`,
      "",
      "| Command | Who | Effect |",
      "| --- | --- | --- |",
      ...CA_COMMANDS.map((c) => {
        const spec = CA_COMMAND_USAGE[c];
        return `| ${inlineCode(spec.usage)} | ${escapeText(spec.who)} | ${escapeText(spec.effect)} |`;
      }),
    ].join("\n");
  if (line.name === "status") return `${mention(line.by)} the status comment is up to date.`;
  const command = inlineCode(`/${line.name}`);
  if (outcome !== "accepted")
    return `${mention(line.by)} ${command} was not run: ${CA_REFUSAL_TEXT[outcome]} (${outcome}).`;
  return line.name === "approve-ca"
    ? `${mention(line.by)} approved: the app opens a pull request adding the root to ${inlineCode("certificates.extraCAs")}.`
    : `${mention(line.by)} rejected: the issue is closed.`;
}

export function caPullTitle(name: string, issue: number): string {
  // A title is plain text; still, no line breaks or control characters, and bounded.
  // eslint-disable-next-line no-control-regex
  const flat = name.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").slice(0, 80);
  return `Add certificate authority: ${flat} (#${issue})`;
}

export function caPullBody(o: CaObservation, approval: CaDecision, contentSha256: string): string {
  const request = o.form.valid ? o.form.request : null;
  return [
    `Adds the root certificate requested in ${link(`#${o.issue.number}`, o.issue.url)} to ${inlineCode("certificates.extraCAs")} in ${inlineCode(CONFIG_PATH)}.`,
    "",
    ...rootTable(o.form.judged),
    "",
    `- Requested by ${userLink(o.issue.author.login)}; published by the CA at ${escapeText(request?.publishedAt ?? "", 300)}`,
    `- Reason: ${escapeText(request?.reason ?? "", 1000)}`,
    `- Approved by ${userLink(approval.by)} ${link(formatTime(approval.at), approval.url)}${approval.args ? `: ${escapeText(approval.args, 300)}` : ""} (request version ${inlineCode(contentSha256.slice(0, 16))})`,
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
