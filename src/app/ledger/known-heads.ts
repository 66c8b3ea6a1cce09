/**
 * The ledger heads this process knows the app made: per ledger file, the blob sha of the version
 * it last wrote or last found committed (and signed) by the app. Checking who made the head
 * costs a request; a head that is still the one this process knows needs no check. Any other
 * head — another instance's write, a restart, a copy of an older version pushed by someone
 * (its blob is that older version's, not the last known one) — is checked again, and a conflict
 * on a file forgets what was known of it. What this cannot see: with several instances, a
 * byte-identical copy of the version this process knows, pushed after another instance wrote a
 * newer one, passes for it until this process's next write conflicts (the ledger branch's
 * ruleset, docs/app.md, is what rules that out). Bounded: the oldest entries go first.
 */
/** Which ledger file: its repository, branch and request. */
export interface LedgerFileRef {
  at: { owner: string; repo: string; branch: string };
  issue: number;
}

export class KnownHeads {
  private readonly heads = new Map<string, string>();

  constructor(private readonly max = 10_000) {}

  isKnown(file: LedgerFileRef, sha: string): boolean {
    return this.heads.get(key(file)) === sha;
  }

  /** After a conflict on `file`: its head is not what this process thought, so check it again. */
  forget(file: LedgerFileRef): void {
    this.heads.delete(key(file));
  }

  remember(file: LedgerFileRef, sha: string): void {
    const k = key(file);
    this.heads.delete(k);
    this.heads.set(k, sha);
    if (this.heads.size > this.max) this.heads.delete(this.heads.keys().next().value!);
  }
}

function key({ at, issue }: LedgerFileRef): string {
  return `${at.owner}/${at.repo}:${at.branch}:${issue}`.toLowerCase();
}
