import type {
  CertificateRecord,
  CommandRecord,
  IgnoredComment,
  IssuanceRecord,
  ReissueRequest,
} from "../../record/schema.js";
import { currentToken, newestTokenPerDevice, thumbprintFromFingerprint } from "../../record/tokens.js";
import { deviceKey } from "../../request/device-id.js";
import { commandSpec } from "../commands/catalog.js";
import { APP_ACTOR } from "./actor.js";
import { samePerson, type Person } from "./people.js";

/*
 * Bounds. GitHub refuses comments of 65,536 characters or more, and anyone who can comment can
 * add command lines; what they add must not grow the record without bound. None of the cuts
 * below can change what `reduce` computes: see `pruneCommands` and `pruneIssuance`.
 */
/** Arguments of a line that did not run are kept as an excerpt of at most this many characters. */
export const MAX_KEPT_ARGS = 80;
/** Lines that can never change anything kept in `commands` (newest comments first). */
export const MAX_INERT_LINES = 40;
/** `edited` and `pruned` entries kept in `ignored`; older ones fold into the `pruned-through` watermark. */
export const MAX_IGNORED = 200;
/** Tokens that are no longer current kept whole, newest first; older ones are kept as stand-ins. */
export const MAX_OLDER_TOKENS = 50;

/**
 * Arguments cut to `MAX_KEPT_ARGS` characters so that `authorize` decides the same: it reads the
 * first word (an item or a device), whether more follows, and whether there is any argument at
 * all. A first word that fits is kept whole, and a cut rest stays non-empty ("…").
 */
export function excerptArgs(args: string): string {
  if (args.length <= MAX_KEPT_ARGS) return args;
  const head = args.slice(0, MAX_KEPT_ARGS - 2);
  if (/\s/.test(args[MAX_KEPT_ARGS - 2]!) || /\s$/.test(head)) return `${head.trimEnd()} …`;
  return `${head}…`;
}

/**
 * Refused for good or answered: a line no replay can make run. `/status` and `/help` are always
 * answered and change nothing; a reviewer-only command by someone who was not a reviewer when
 * the line was first seen, or a command its author may not run on their own request, is refused
 * whatever the state (the reviewer flag and the requester are recorded facts).
 */
function inert(command: CommandRecord, requester: Person): boolean {
  if (command.outcome === "answered") return true;
  if (command.outcome !== "refused") return false;
  const spec = commandSpec(command.name);
  return (
    (spec.who === "reviewer" && !command.reviewer) ||
    (spec.who === "requester" && !samePerson({ login: command.by, id: command.byId }, requester)) ||
    (spec.notRequester && samePerson({ login: command.by, id: command.byId }, requester))
  );
}

/**
 * Keeps what commenters add to the record bounded without changing any outcome:
 * - lines that did not run keep an excerpt of their arguments (`excerptArgs`);
 * - comments whose every line is inert are dropped from `commands` beyond the newest
 *   `MAX_INERT_LINES` such lines, and listed in `ignored` as `pruned` so they are not read again;
 * - `ignored` keeps its newest `MAX_IGNORED` entries; older ones fold into one `pruned-through`
 *   watermark (every comment up to it was seen). Only entries that many comments old are folded,
 *   so a comment still missing from GitHub's listing when they were seen cannot fall under it.
 * Lines that can still change outcome on a replay (accepted ones, and a reviewer's refused ones,
 * which a late merge or issuance placed before them may turn into accepted) are all kept.
 */
export function pruneCommands(
  commands: readonly CommandRecord[],
  ignored: readonly IgnoredComment[],
  requester: Person,
): { commands: CommandRecord[]; ignored: IgnoredComment[] } {
  const cut = commands.map((c) =>
    c.outcome === "accepted" || c.args.length <= MAX_KEPT_ARGS ? c : { ...c, args: excerptArgs(c.args) },
  );
  const byComment = new Map<number, CommandRecord[]>();
  for (const c of cut) byComment.set(c.comment, [...(byComment.get(c.comment) ?? []), c]);
  const inertComments = [...byComment.entries()]
    .filter(([, lines]) => lines.every((l) => inert(l, requester)))
    .sort((a, b) => b[0] - a[0]);
  const dropped = new Map<number, CommandRecord[]>();
  let kept = 0;
  for (const [comment, lines] of inertComments) {
    if (kept + lines.length <= MAX_INERT_LINES) kept += lines.length;
    else dropped.set(comment, lines);
  }
  let list: IgnoredComment[] = [...ignored];
  for (const [comment, lines] of [...dropped.entries()].sort((a, b) => a[0] - b[0]))
    list.push({ comment, by: lines[0]!.by, reason: "pruned", lines: lines.length });
  const marks = list.filter((i) => i.reason === "pruned-through");
  const entries = list.filter((i) => i.reason !== "pruned-through");
  if (entries.length > MAX_IGNORED || marks.length > 1) {
    const oldest = [...entries]
      .sort((a, b) => a.comment - b.comment)
      .slice(0, Math.max(0, entries.length - MAX_IGNORED));
    const folded = new Set(oldest);
    const through = Math.max(0, ...marks.map((m) => m.comment), ...oldest.map((i) => i.comment));
    const lines = [...marks, ...oldest].reduce((n, i) => n + (i.lines ?? 0), 0);
    list = [
      { comment: through, by: APP_ACTOR, reason: "pruned-through", lines },
      ...entries.filter((i) => !folded.has(i)),
    ];
  }
  return { commands: cut.filter((c) => !dropped.has(c.comment)), ignored: list };
}

/**
 * Keeps the token history bounded without changing what `reduce` replays from it. Whole tokens
 * (with their `jti`) are kept for the token each device holds now (bound to its current
 * certificate, newer than its last pending reissue request) and for the `MAX_OLDER_TOKENS`
 * newest other ones. Every other token stays as a stand-in: the same device, run, time and
 * expiry, an empty `jti`, and its `x5tS256` only when a recorded certificate of its device has
 * that thumbprint (no other value can ever match one). `reduce` reads neither the `jti` nor a
 * thumbprint that matches nothing, so it replays stand-ins exactly as the tokens they replace;
 * the compressed record (src/record/codec.ts) stores a run's stand-ins in a few bytes.
 */
export function pruneIssuance(
  issuance: readonly IssuanceRecord[],
  certificates: readonly CertificateRecord[],
  pending: readonly ReissueRequest[],
): IssuanceRecord[] {
  const recorded = new Set(
    certificates.flatMap((c) =>
      c.fingerprintSha256 ? [`${deviceKey(c.device)}\u0000${thumbprintFromFingerprint(c.fingerprintSha256)}`] : [],
    ),
  );
  // The rule `hasCurrentToken` applies, over the whole tokens only (a stand-in has no id to keep).
  const view = {
    request: null,
    certificates: [...certificates],
    issuance: issuance.filter((t) => t.jti),
    reissueRequested: [...pending],
  };
  const devices = new Map(issuance.map((t) => [deviceKey(t.device), t.device]));
  const whole = new Set([...devices.values()].flatMap((device) => currentToken(view, device) ?? []));
  // Each device's newest token stays whole too, bound to a renewed certificate or not: its
  // revocation (and so the token status list) must survive pruning (src/app/issuance/status-list.ts).
  for (const t of newestTokenPerDevice(view.issuance).values()) whole.add(t);
  const older = issuance.filter((t) => t.jti && !whole.has(t)).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  for (const t of older.slice(0, MAX_OLDER_TOKENS)) whole.add(t);
  return issuance.map((t) => {
    if (whole.has(t) || (!t.jti && (t.x5tS256 === "" || recorded.has(`${deviceKey(t.device)}\u0000${t.x5tS256}`))))
      return t;
    // A stand-in keeps its device, run and expiry only: not the comment that holds its JWE.
    const { comment: _comment, ...kept } = t;
    return { ...kept, jti: "", x5tS256: recorded.has(`${deviceKey(t.device)}\u0000${t.x5tS256}`) ? t.x5tS256 : "" };
  });
}
