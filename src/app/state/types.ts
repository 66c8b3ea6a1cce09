import type {
  CertificateRecord,
  ChecklistEntry,
  CommandRecord,
  IssuanceRecord,
  PullRequestRecord,
  ReissueRequest,
  RebuiltFacts,
  RequestContent,
  Revocation,
  Stage,
  Stamp,
  Transition,
  VoidedRun,
  VoidedTick,
} from "../../record/schema.js";
import type { CommandRefusal } from "../commands/refusals.js";

/** The state while `reduce` replays the history; what `authorize` decides against. */
export interface FoldState {
  stage: Stage;
  /** The request in effect: the approved one while approved, else the current valid form. */
  request: RequestContent | null;
  checklist: Map<string, ChecklistEntry>;
  certification: (Stamp & { note?: string; requestSha256: string }) | null;
  hold: (Stamp & { reason: string }) | null;
  rejection: (Stamp & { reason: string }) | null;
  /** `/revoke-access`: access ended for good. */
  ended: (Stamp & { reason: string }) | null;
  /** Tokens revoked so far (`/revoke-tokens`, `/revoke-access`). */
  revocations: Revocation[];
  /** Periodic access reviews (`/recertify`). */
  reviews: Array<Stamp & { note?: string }>;
  certificates: CertificateRecord[];
  issuance: IssuanceRecord[];
  reissue: ReissueRequest[];
  transitions: Transition[];
}

/** Everything `reduce` needs; all of it comes from the record, the issue and its comments. */
export interface ReduceInput {
  checklistItems: readonly string[];
  /** The form fields each item reviews (config `checklistFields`); none: ticks bind to nothing. */
  checklistFields?: Readonly<Record<string, readonly string[]>>;
  requester: string;
  requesterId?: number | undefined;
  issueUrl: string;
  /** The current form as parsed from the newest issue body. */
  form: { valid: boolean; request: RequestContent | null };
  /** The request the previous record held (the approved one, if certification was approved). */
  priorRequest: RequestContent | null;
  /** Every command line, first-seen facts only; outcomes are recomputed. */
  commands: readonly CommandRecord[];
  pullRequests: readonly PullRequestRecord[];
  certificates: readonly CertificateRecord[];
  issuance: readonly IssuanceRecord[];
  /** Set when the record was rebuilt after a loss: where the replay starts (`startAfterRebuild`). */
  rebuilt?: RebuiltFacts | undefined;
}

export interface ReduceOutput {
  stage: Stage;
  request: RequestContent | null;
  /** False when the current form differs from the approved request (edits after approval). */
  formApplied: boolean;
  checklist: ChecklistEntry[];
  certification: FoldState["certification"];
  hold: FoldState["hold"];
  rejection: FoldState["rejection"];
  ended: FoldState["ended"];
  revocations: Revocation[];
  reviews: FoldState["reviews"];
  reissueRequested: ReissueRequest[];
  transitions: Transition[];
  commands: CommandRecord[];
  /** Why each refused line did not run, by `lineKey`: what a reply to it says. */
  refusals: ReadonlyMap<string, CommandRefusal>;
  /** Runs that completed while a block was in effect: their tokens never count. */
  voidedRuns: VoidedRun[];
  /** Ticks that no longer count: a field they reviewed changed since (only before approval). */
  voidedTicks: VoidedTick[];
}
