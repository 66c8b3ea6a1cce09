/** What a plan changes on the request issue: its labels (the whole set) and its state. */
export interface IssueChange {
  labels: string[];
  state?: "open" | "closed";
  stateReason?: "completed" | "not_planned" | "reopened";
}
