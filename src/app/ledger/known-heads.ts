/**
 * The ledger heads this process knows the app made: per ledger file, the blob sha of the version
 * it last wrote or last found committed (and signed) by the app. Checking who made the head
 * costs a request; a head that is still the one this process knows needs no check. Any other
 * head — another instance's write, a restart, a copy of an older version pushed by someone
 * (its blob is that older version's, not the last known one) — is checked again. Bounded: the
 * oldest entries go first. Knowledge only saves a request; losing it changes no outcome.
 */
export class KnownHeads {
  private readonly heads = new Map<string, string>();

  constructor(private readonly max = 10_000) {}

  isKnown(file: string, sha: string): boolean {
    return this.heads.get(file) === sha;
  }

  remember(file: string, sha: string): void {
    this.heads.delete(file);
    this.heads.set(file, sha);
    if (this.heads.size > this.max) this.heads.delete(this.heads.keys().next().value!);
  }
}
