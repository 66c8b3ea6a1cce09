/** What a sweep tells the sync about the request (src/app/handlers/sweep.ts). */
export interface SweepFacts {
  /** The sweep's time: the completion of the sweep workflow's run, as GitHub reported it. */
  at: string;
  /** The request's `next` in the index the sweep read. */
  indexed: string | null;
}
