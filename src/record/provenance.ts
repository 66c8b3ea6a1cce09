/**
 * Who made a commit of the ledger, as GitHub's commits listing tells it: `author` and
 * `committer` are the GitHub accounts GitHub linked to the commit's author and committer (null
 * when none), `verified` whether GitHub verified its signature (reason `valid`). Commits an app
 * makes through the contents API are authored and committed by its bot and signed by GitHub.
 * Anyone can write the author and committer fields of a commit they push, and sign it with their
 * own key — but a verified signature binds the committer to the signer's account, so "committed
 * by the bot, verified" is what nobody else can produce.
 */
export interface CommitProvenance {
  sha: string;
  author: string | null;
  committer: string | null;
  verified: boolean;
}

/** One entry of `GET /repos/{owner}/{repo}/commits`, as far as provenance goes. */
export interface ListedCommit {
  sha: string;
  author?: { login?: string | null } | null;
  committer?: { login?: string | null } | null;
  commit: { verification?: { verified?: boolean; reason?: string | null } | null };
}

export function provenanceOf(commit: ListedCommit): CommitProvenance {
  const verification = commit.commit.verification;
  return {
    sha: commit.sha,
    author: commit.author?.login ?? null,
    committer: commit.committer?.login ?? null,
    verified: !!verification?.verified && verification.reason === "valid",
  };
}

/** Authored and committed by `login` (the app's bot), with a signature GitHub verified. Pure. */
export function madeBy(commit: CommitProvenance, login: string): boolean {
  const bot = login.toLowerCase();
  return commit.verified && commit.author?.toLowerCase() === bot && commit.committer?.toLowerCase() === bot;
}

/**
 * A commit as GitHub's GraphQL API gives it (`Commit { oid author { email } committer { email }
 * signature { isValid state } }`): it links no account to a bot (`GitActor.user` is a `User`,
 * never a `Bot`), so the accounts are found the way the REST listing finds them, from the e-mail
 * addresses: the bot's no-reply address (`<id>+<login>@users.noreply.github.com`, or the older
 * `<login>@users.noreply.github.com`) is the bot's and nobody else's. Only the bot is recognised
 * (any other address gives null): `madeBy` asks nothing else. The id is checked because GitHub
 * ties a no-reply address to an account by its id: `<someone's id>+<bot login>@…` is that
 * someone's address, and a verified signature over it would be theirs.
 */
export interface GraphQLCommit {
  oid: string;
  author: { email?: string | null } | null;
  committer: { email?: string | null } | null;
  signature: { isValid: boolean; state: string } | null;
}

export interface BotAccount {
  login: string;
  id: number;
}

export function provenanceFromGraphQL(commit: GraphQLCommit, bot: BotAccount): CommitProvenance {
  const owner = (email: string | null | undefined): string | null => {
    const address = email?.toLowerCase();
    const login = bot.login.toLowerCase();
    const ours = [`${bot.id}+${login}@users.noreply.github.com`, `${login}@users.noreply.github.com`];
    return address && ours.includes(address) ? bot.login : null;
  };
  return {
    sha: commit.oid,
    author: owner(commit.author?.email),
    committer: owner(commit.committer?.email),
    verified: !!commit.signature?.isValid && commit.signature.state === "VALID",
  };
}
