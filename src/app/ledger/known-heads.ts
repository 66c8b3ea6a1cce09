import type { CachedFile } from "./port.js";

/**
 * The ledger heads this process knows the app made: per ledger file, the **commit** it last
 * wrote or last found committed (and signed) by the app, with that commit's text. Keyed on the
 * commit, never on the content: a byte-identical copy of a version this process wrote, pushed
 * by someone else after another instance wrote a newer one, has the same blob sha but another
 * commit, so it is never taken for the app's (issue 18). What it saves is reading the text
 * again: the head's commit and its provenance are asked on every read (one request), the text
 * only when the commit is not the one held here. A conflict on a file forgets what was known of
 * it. Bounded by entries and by bytes of text: the oldest entries go first.
 */
export interface LedgerFileRef {
  at: { owner: string; repo: string; branch: string };
  issue: number;
}

interface Entry extends CachedFile {
  commit: string;
}

export class KnownHeads {
  private readonly heads = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly max = 10_000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /** The text of `commit` when it is the head this process knows for `file`. */
  fileAt(file: LedgerFileRef, commit: string): CachedFile | undefined {
    const entry = this.heads.get(key(file));
    return entry && entry.commit === commit ? { text: entry.text, sha: entry.sha } : undefined;
  }

  /** After a conflict on `file`: its head is not what this process thought, so read it again. */
  forget(file: LedgerFileRef): void {
    const k = key(file);
    const entry = this.heads.get(k);
    if (entry) this.bytes -= entry.text.length;
    this.heads.delete(k);
  }

  /** `commit` is the app's and holds `head` (a write of this process, or a verified read). */
  remember(file: LedgerFileRef, commit: string, head: CachedFile): void {
    this.forget(file);
    if (head.text.length > this.maxBytes) return;
    this.heads.set(key(file), { commit, text: head.text, sha: head.sha });
    this.bytes += head.text.length;
    while (this.heads.size > this.max || this.bytes > this.maxBytes) {
      const [oldest, entry] = this.heads.entries().next().value!;
      this.heads.delete(oldest);
      this.bytes -= entry.text.length;
    }
  }
}

function key({ at, issue }: LedgerFileRef): string {
  return `${at.owner}/${at.repo}:${at.branch}:${issue}`.toLowerCase();
}
