import type {
  CertificateRecord,
  CommandRecord,
  IssuanceRecord,
  RequestContent,
  Revocation,
  Stage,
  ChecklistEntry,
  Stamp,
  Transition,
  VoidedRun,
  VoidedTick,
} from "../../record/schema.js";
import { STAGES } from "../../record/schema.js";
import { currentCertificates, newestTokenPerDevice, signedAt, tokensComplete } from "../../record/tokens.js";
import { deviceKey } from "../../request/device-id.js";
import { authorize, type Action } from "../commands/authorize.js";
import { unrevokedTokens } from "../commands/rules.js";
import { refusal, type CommandRefusal } from "../commands/refusals.js";
import type { FoldState, ReduceInput, ReduceOutput } from "./types.js";

import { APP_ACTOR } from "./actor.js";

type HistoryEvent =
  | { kind: "command"; at: string; order: [number, number]; command: CommandRecord }
  | { kind: "merge"; at: string; order: [number, number]; pr: number; by: string; url: string }
  | { kind: "issuance"; at: string; order: [number, number]; entries: IssuanceRecord[]; url: string; by: string };

/**
 * The request's state as a pure function of its history: `state = reduce(events)`, recomputed on
 * every webhook, whatever arrived twice, late or out of order. Events are the command lines (in
 * comment order), the merges of certificate PRs and the token issuances, replayed by time;
 * after each one the automatic transitions are settled. Outcomes of earlier lines are recomputed
 * too; only the facts that cannot be observed again (was the author a reviewer when the line was
 * first seen, which request an approval approved) come from the record.
 */
export function reduce(input: ReduceInput): ReduceOutput {
  const formRequest = input.form.valid ? input.form.request : null;
  const start = startAfterRebuild(input);
  const state: FoldState = {
    stage: start.rejection ? "rejected" : formRequest ? "certification" : "requested",
    request: formRequest,
    checklist: new Map(),
    certification: null,
    ...start,
    ended: null,
    revocations: [],
    reviews: [],
    certificates: [],
    issuance: [],
    reissue: [],
    transitions: [],
  };
  const fold: Fold = { input, formRequest, state, commands: [], refusals: new Map(), voidedRuns: [], revoked: null };
  for (const event of history(input)) {
    if (event.kind === "command") replayCommand(fold, event.command);
    else if (event.kind === "merge") replayMerge(fold, event);
    else replayIssuance(fold, event);
  }
  const { checklist, voided } = finalChecklist(fold);
  return {
    stage: state.stage,
    request: state.request,
    formApplied: !state.certification || formRequest?.sha256 === state.request?.sha256,
    checklist,
    voidedTicks: voided,
    certification: state.certification,
    hold: state.hold,
    rejection: state.rejection,
    ended: state.ended,
    revocations: state.revocations,
    reviews: state.reviews,
    reissueRequested: state.reissue,
    transitions: state.transitions,
    commands: fold.commands,
    refusals: fold.refusals,
    voidedRuns: fold.voidedRuns,
  };
}

/**
 * Where a rebuilt request starts (src/app/ledger/rebuild.ts decides the facts): rejected, by the
 * app, when its timeline shows the app had rejected it; on hold, by the app, when the issue is
 * closed (or its timeline unread) and it cannot tell — a reviewer's `/unhold` lifts that hold;
 * else as any request. Never reopened, never revived by guessing.
 */
function startAfterRebuild(input: ReduceInput): Pick<FoldState, "hold" | "rejection"> {
  const r = input.rebuilt;
  if (!r) return { hold: null, rejection: null };
  const stamp = { by: APP_ACTOR, url: input.issueUrl };
  if (r.rejectedAt)
    return {
      hold: null,
      rejection: {
        ...stamp,
        at: r.rejectedAt,
        reason: `rejected before its record was lost: the app closed this issue as not planned on ${r.rejectedAt}, and a rejection is final`,
      },
    };
  if (r.issueState === "open" && !r.everClosed && !r.incomplete) return { hold: null, rejection: null };
  return {
    hold: {
      ...stamp,
      at: r.at,
      reason:
        "the record was lost and the issue is or was closed, so the app cannot tell whether it had been live, rejected or ended; a reviewer who has checked the issue's history lifts this hold with /unhold (or ends the request with /reject)",
    },
    rejection: null,
  };
}

/** The replay in progress: the input, the state so far and the outcomes decided so far. */
interface Fold {
  input: ReduceInput;
  formRequest: RequestContent | null;
  state: FoldState;
  commands: CommandRecord[];
  refusals: Map<string, CommandRefusal>;
  voidedRuns: VoidedRun[];
  /** The last accepted `/revoke-certification`, for what it blocks. */
  revoked: Stamp | null;
}

function blockInEffect(fold: Fold, event: { at: string; url: string }): VoidedRun["blockedBy"] | null {
  const { state } = fold;
  const stamp = (s: Stamp) => ({ by: s.by, at: s.at, url: s.url });
  if (state.rejection) return { kind: "reject", ...stamp(state.rejection) };
  if (state.ended) return { kind: "ended", ...stamp(state.ended) };
  if (state.hold) return { kind: "hold", ...stamp(state.hold) };
  if (state.certification) return null;
  if (fold.revoked) return { kind: "revoke", ...stamp(fold.revoked) };
  // Never approved at that moment (no revocation either): the run's own time and link.
  return { kind: "not-approved", by: APP_ACTOR, at: event.at, url: event.url };
}

/** The key of one command line in `ReduceOutput.refusals`. */
export function lineKey(line: { comment: number; index: number }): string {
  return `${line.comment}:${line.index}`;
}

function replayCommand(fold: Fold, command: CommandRecord): void {
  const { input, state } = fold;
  // An approval bound when first accepted approves that request, even if the form is broken now
  // (edits after approval are not applied): authorize is told, and nothing is changed before it
  // decides.
  const bound =
    command.name === "approve-certification" && command.requestSha256 ? approvedRequest(command, null, input) : null;
  // Ticks are judged against the request they would count for: the one being approved, or the
  // one in effect (a stale tick may be given again).
  const approving = command.name === "approve-certification" ? (bound ?? state.request) : state.request;
  const context = {
    checklistItems: input.checklistItems,
    requester: { login: input.requester, id: input.requesterId },
    boundApproval: !!bound,
    // Only /check and /approve-certification read it: no other line pays for it.
    staleItems:
      command.name === "check" || command.name === "approve-certification" ? staleItems(fold, approving) : NONE,
  };
  const decision = authorize(command, state, context);
  if (!decision.ok) return refuse(fold, command, decision);
  const { action } = decision;
  if (action.kind === "status" || action.kind === "help") {
    fold.commands.push(outcome(command, "answered"));
    return;
  }
  const url = commentUrl(input.issueUrl, command.comment);
  const stamp = { by: command.by, at: command.at, url };
  let approved: string | undefined;
  let reviewed: Record<string, string> | undefined;
  if (action.kind === "check") {
    // A tick binds, when first accepted, to the fields its item reviews as they are then. While
    // the form is not valid there is nothing to review: such a tick would bind nothing, and
    // count for whatever the form later says.
    if (!command.fieldsSha256 && !state.request && fold.input.checklistFields?.[action.item]?.length)
      return refuse(fold, command, refusal("form-invalid", {}));
    reviewed = command.fieldsSha256 ?? coveredFields(fold, action.item, state.request);
    state.checklist.set(action.item, {
      item: action.item,
      ...stamp,
      ...(action.note ? { note: action.note } : {}),
      ...(reviewed ? { fields: reviewed } : {}),
    });
  } else if (action.kind === "approve") {
    const request = bound ?? approvedRequest(command, state.request, input);
    if (!request) return refuse(fold, command, refusal("request-changed", {}));
    if (bound && state.stage === "requested") state.stage = "certification";
    approved = request.sha256;
    state.request = request;
    state.certification = { ...stamp, requestSha256: request.sha256, ...(action.note ? { note: action.note } : {}) };
  } else applyAction(fold, action, stamp);
  fold.commands.push({
    ...outcome(command, "accepted"),
    ...(approved ? { requestSha256: approved } : {}),
    ...(reviewed ? { fieldsSha256: reviewed } : {}),
  });
  settle(state, fold.formRequest, { ...stamp, why: describe(action.kind, command.args) });
}

const NONE: ReadonlySet<string> = new Set();

/** The fields item `item` reviews, with their hashes in `request` (undefined: nothing to bind to). */
function coveredFields(fold: Fold, item: string, request: RequestContent | null): Record<string, string> | undefined {
  const covered = fold.input.checklistFields?.[item];
  if (!covered || !request?.fields) return undefined;
  return Object.fromEntries(covered.flatMap((f) => (request.fields?.[f] ? [[f, request.fields[f]]] : [])));
}

/** The fields a tick reviewed that differ in `request` now. */
function changedFields(entry: ChecklistEntry, request: RequestContent | null): string[] {
  if (!entry.fields || !request?.fields) return [];
  return Object.entries(entry.fields).flatMap(([f, hash]) => (request.fields?.[f] === hash ? [] : [f]));
}

/** Ticked items whose reviewed fields changed in `request`: they do not count for it. */
function staleItems(fold: Fold, request: RequestContent | null): Set<string> {
  return new Set([...fold.state.checklist.values()].filter((e) => changedFields(e, request).length).map((e) => e.item));
}

/**
 * The checklist as it stands: before approval, a tick whose reviewed fields changed in the form
 * since does not count (and is reported, naming the fields); once approved, the approved request
 * stands and so do the ticks it was approved with.
 */
function finalChecklist(fold: Fold): { checklist: ChecklistEntry[]; voided: VoidedTick[] } {
  const { state, input } = fold;
  const entries = input.checklistItems.flatMap((item) =>
    state.checklist.has(item) ? [state.checklist.get(item)!] : [],
  );
  if (state.certification) return { checklist: entries, voided: [] };
  const voided: VoidedTick[] = [];
  const checklist = entries.filter((e) => {
    const changed = changedFields(e, state.request);
    if (changed.length) voided.push({ item: e.item, by: e.by, at: e.at, url: e.url, changed });
    return changed.length === 0;
  });
  return { checklist, voided };
}

function refuse(fold: Fold, command: CommandRecord, why: CommandRefusal): void {
  fold.commands.push({ ...outcome(command, "refused"), refusal: why.code });
  fold.refusals.set(lineKey(command), { code: why.code, detail: why.detail } as CommandRefusal);
}

/** The effect of an accepted command other than an approval (see `replayCommand`). */
function applyAction(fold: Fold, action: Action, stamp: Stamp): void {
  const { state } = fold;
  switch (action.kind) {
    case "uncheck":
      state.checklist.delete(action.item);
      break;
    case "revoke":
      state.certification = null;
      state.request = fold.formRequest;
      fold.revoked = stamp;
      break;
    case "hold":
      state.hold = { ...stamp, reason: action.reason };
      break;
    case "unhold":
      state.hold = null;
      break;
    case "reject":
      state.rejection = { ...stamp, reason: action.reason };
      break;
    case "reissue":
      for (const device of action.devices) state.reissue.push({ ...stamp, device, reason: action.reason });
      break;
    case "revoke-tokens":
      revokeTokens(state, action.devices, { ...stamp, reason: action.reason, command: "revoke-tokens" });
      break;
    case "recertify":
      state.reviews.push({ ...stamp, ...(action.note ? { note: action.note } : {}) });
      break;
    case "revoke-access":
      revokeTokens(state, state.request?.devices ?? [], { ...stamp, reason: action.reason, command: "revoke-access" });
      state.ended = { ...stamp, reason: action.reason };
      state.reissue = [];
      break;
    default:
      break;
  }
}

/**
 * Every token of `devices` issued by now and not revoked yet is revoked (issue 19); tokens
 * issued later are not (a device revoked and reissued gets a new token that counts).
 */
function revokeTokens(
  state: FoldState,
  devices: readonly string[],
  why: Omit<Revocation, "device" | "jti" | "statusIdx">,
): void {
  for (const device of devices)
    for (const token of unrevokedTokens(state, device))
      state.revocations.push({
        ...why,
        device: token.device,
        jti: token.jti,
        ...(token.statusIdx !== undefined ? { statusIdx: token.statusIdx } : {}),
      });
}

function replayMerge(fold: Fold, event: Extract<HistoryEvent, { kind: "merge" }>): void {
  const { state } = fold;
  const merged = fold.input.certificates.filter((c) => c.pr === event.pr);
  const devices = new Set(merged.map((c) => deviceKey(c.device)));
  state.certificates = [...state.certificates.filter((c) => !devices.has(deviceKey(c.device))), ...merged];
  settle(state, fold.formRequest, {
    at: event.at,
    by: event.by,
    url: event.url,
    why: `certificates merged in #${event.pr}`,
  });
}

/**
 * An issuance takes effect when its run completed. A block in effect then — a rejection, a hold,
 * or no approval (revoked) — wins: the run's tokens never count, and the record says so.
 */
function replayIssuance(fold: Fold, event: Extract<HistoryEvent, { kind: "issuance" }>): void {
  const { state } = fold;
  const blockedBy = blockInEffect(fold, event);
  if (blockedBy) {
    fold.voidedRuns.push({ runUrl: event.url, at: event.at, tokens: event.entries.length, blockedBy });
    return;
  }
  state.issuance.push(...event.entries);
  state.reissue = state.reissue.filter(
    (r) => !event.entries.some((t) => deviceKey(t.device) === deviceKey(r.device) && signedAt(t) > r.at),
  );
  const why = `${event.entries.length} token(s) issued`;
  settle(state, fold.formRequest, { at: event.at, by: event.by, url: event.url, why });
}

/**
 * The stage the state should be in now. A hold blocks every advance (README, reviewer's guide: `/hold`) — approval (refused
 * by authorize), the move to tokens, going live on an issuance that completed meanwhile — but no
 * regression or rejection; `/unhold` settles again, so what waited happens then. Requested vs
 * certification is not held: it says whether the form is valid now (the fold starts from the
 * current form, which has no history to hold back), and nothing is approved by it.
 */
function targetStage(state: FoldState, formRequest: RequestContent | null): Stage {
  const natural = naturalStage(state, formRequest);
  // STAGES is in process order with rejected last: nothing ranks above a rejected request.
  const final = natural === "rejected" || natural === "ended";
  if (state.hold && !final && STAGES.indexOf(natural) > STAGES.indexOf(state.stage)) return state.stage;
  return natural;
}

function naturalStage(state: FoldState, formRequest: RequestContent | null): Stage {
  if (state.rejection) return "rejected";
  if (state.ended) return "ended";
  if (!state.certification) return formRequest ? "certification" : "requested";
  const devices = state.request?.devices ?? [];
  const current = currentCertificates(state.certificates);
  const allValid = devices.length > 0 && devices.every((d) => current.get(deviceKey(d))?.verdict === "valid");
  if (!allValid) return "certificates";
  const complete = tokensComplete({
    request: state.request,
    certificates: state.certificates,
    issuance: state.issuance,
    reissueRequested: state.reissue,
  });
  // Once live, a request stays live while any device holds a live token (../shared/SPEC.md H):
  // a renewal or a reissue waits for its token with `needs: tokens`, the others keep working.
  // When none does — every token revoked, none owed — it waits for renewed certificates: a
  // revoked device's next token needs a new key (README, `/revoke-tokens`).
  const wasLive = state.transitions.some((t) => t.to === "live");
  if (complete) return !wasLive || holdsLiveToken(state) ? "live" : "certificates";
  return wasLive && holdsLiveToken(state) ? "live" : "tokens";
}

/**
 * Some device's newest token is not revoked (one live token per device). A stand-in (a pruned
 * older token, no id) counts as live: it cannot have been revoked by id since the record that
 * pruned it, and pruning must not change what the replay decides (src/app/state/bounds.ts).
 */
function holdsLiveToken(state: FoldState): boolean {
  const revoked = new Set(state.revocations.map((r) => r.jti));
  return [...newestTokenPerDevice(state.issuance).values()].some((t) => !t.jti || !revoked.has(t.jti));
}

function settle(state: FoldState, formRequest: RequestContent | null, cause: Omit<Transition, "from" | "to">): void {
  if (!state.certification) state.request = formRequest;
  const to = targetStage(state, formRequest);
  if (to !== state.stage) {
    state.transitions.push({ ...cause, from: state.stage, to });
    state.stage = to;
  }
}

/**
 * The request an approval approves: the one it was bound to when first accepted (kept in the
 * record as `request`, or equal to the current form), else — first acceptance — the one in effect.
 */
function approvedRequest(
  command: CommandRecord,
  inEffect: RequestContent | null,
  input: ReduceInput,
): RequestContent | null {
  if (!command.requestSha256) return inEffect;
  for (const candidate of [input.priorRequest, input.form.request, inEffect]) {
    if (candidate?.sha256 === command.requestSha256) return candidate;
  }
  return null;
}

function history(input: ReduceInput): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const command of input.commands)
    events.push({ kind: "command", at: command.at, order: [command.comment, command.index], command });
  for (const pr of input.pullRequests) {
    if (pr.state !== "merged" || !pr.mergedAt) continue;
    if (!input.certificates.some((c: CertificateRecord) => c.pr === pr.number)) continue;
    events.push({
      kind: "merge",
      at: pr.mergedAt,
      order: [pr.number, 0],
      pr: pr.number,
      by: pr.mergedBy ?? APP_ACTOR,
      url: pr.url,
    });
  }
  const runs = new Map<string, IssuanceRecord[]>();
  for (const entry of input.issuance)
    runs.set(`${entry.at}\u0000${entry.runUrl}`, [...(runs.get(`${entry.at}\u0000${entry.runUrl}`) ?? []), entry]);
  let run = 0;
  for (const entries of runs.values()) {
    events.push({
      kind: "issuance",
      at: entries[0]!.at,
      order: [run++, 0],
      entries,
      url: entries[0]!.runUrl,
      by: entries[0]!.by ?? APP_ACTOR,
    });
  }
  const rank = { command: 0, merge: 1, issuance: 2 } as const;
  return events.sort(
    (a, b) =>
      compareTime(a.at, b.at) || rank[a.kind] - rank[b.kind] || a.order[0] - b.order[0] || a.order[1] - b.order[1],
  );
}

function compareTime(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a < b ? -1 : a > b ? 1 : 0;
  return ta - tb;
}

function outcome(command: CommandRecord, result: CommandRecord["outcome"]): CommandRecord {
  const { refusal: _old, ...rest } = command;
  return { ...rest, outcome: result };
}

export function commentUrl(issueUrl: string, commentId: number): string {
  return `${issueUrl}#issuecomment-${commentId}`;
}

function describe(kind: string, args: string): string {
  const text = args.trim();
  const short = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  const labels: Record<string, string> = {
    check: "ticked",
    uncheck: "unticked",
    approve: "certification approved",
    revoke: "certification revoked",
    hold: "put on hold",
    unhold: "hold lifted",
    reject: "rejected",
    reissue: "reissue asked",
    "revoke-tokens": "tokens revoked",
    "revoke-access": "access ended",
    recertify: "access reviewed",
  };
  return short ? `${labels[kind] ?? kind}: ${short}` : (labels[kind] ?? kind);
}
