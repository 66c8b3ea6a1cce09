import { FakeGit, type GitCommit, type GitPerson } from "./fake-git.js";
import type { FakeUser } from "./fake-github.js";

/**
 * The fake GitHub's git routes (contents writes, commits listing, git trees/commits/refs) over
 * `FakeGit`, answering as GitHub does where the app's compare-and-swap depends on it:
 *
 * - PUT contents without `sha` over an existing file: 422 `"sha" wasn't supplied`;
 * - PUT contents with a `sha` that is not the file's current blob: 409 `… does not match …`;
 * - PUT contents to a branch that does not exist: 404 `Branch … not found`;
 * - POST git/refs for an existing ref: 422 `Reference already exists`.
 */

export type Answer = [number, unknown, Record<string, string>?];

export interface GitHost {
  readonly owner: string;
  readonly repo: string;
  readonly defaultBranch: string;
  gitOf(owner: string, repo: string): FakeGit | undefined;
  tick(): string;
  userJson(u: FakeUser): Record<string, unknown>;
  userId(login: string): number;
}

export const API = "https://api.github.com";

/** GitHub's contents API answers file content in JSON only up to this size (raw above). */
export const CONTENTS_JSON_LIMIT = 1024 * 1024;

const notFound: Answer = [404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" }];

export function personOf(host: GitHost, user: FakeUser, date: string): GitPerson {
  const id = user.id ?? host.userId(user.login);
  return { name: user.login, email: `${id}+${user.login}@users.noreply.github.com`, date, user };
}

/** `GET contents` of a file, as JSON or (raw media type) as its bytes. */
export function contentAnswer(path: string, content: Buffer, sha: string, accept: string): Answer {
  if (accept.includes("raw"))
    return [200, content.toString("utf8"), { "content-type": "application/vnd.github.raw; charset=utf-8" }];
  const big = content.length > CONTENTS_JSON_LIMIT;
  if (big && !accept.includes("object"))
    return [
      403,
      {
        message: "This API returns blobs up to 1 MB in size. The requested blob is too large to fetch via the API.",
        errors: [{ resource: "Blob", field: "data", code: "too_large" }],
      },
    ];
  return [
    200,
    {
      type: "file",
      name: path.split("/").at(-1),
      path,
      sha,
      size: content.length,
      encoding: big ? "none" : "base64",
      content: big ? "" : content.toString("base64"),
    },
  ];
}

export function gitRoute(
  host: GitHost,
  op: string,
  url: URL,
  body: Record<string, unknown> | undefined,
  accept: string,
  author: FakeUser,
): Answer | undefined {
  const p = url.pathname.split("/").map(decodeURIComponent);
  const git = host.gitOf(p[2]!, p[3]!);
  switch (op) {
    case "repos/get-content": {
      const path = p.slice(5).join("/");
      const file = git?.fileAt(url.searchParams.get("ref") ?? host.defaultBranch, path);
      return file ? contentAnswer(path, file.content, file.sha, accept) : notFound;
    }
    case "repos/create-or-update-file-contents":
      return git ? putContents(host, git, p.slice(5).join("/"), body!, author) : notFound;
    case "repos/list-commits":
      return git ? listCommits(host, git, url) : notFound;
    case "git/create-tree":
      return git ? createTree(git, body!) : notFound;
    case "git/create-commit":
      return git ? createCommit(host, git, body!, author) : notFound;
    case "git/create-ref":
      return git ? createRef(git, body!) : notFound;
    case "git/get-commit": {
      const commit = git?.commits.get(p[6] ?? "");
      return commit ? [200, commitJson(host, commit)] : notFound;
    }
    case "git/update-ref":
      return git ? updateRef(git, p.slice(6).join("/"), body!) : notFound;
    case "git/get-ref": {
      // `{ref}` is `heads/<branch>`, its slashes sent as they are or percent-encoded.
      const ref = p.slice(6).join("/");
      const sha = ref.startsWith("heads/") ? git?.branches.get(ref.slice("heads/".length)) : undefined;
      return sha ? [200, refJson(host, `refs/${ref}`, sha)] : notFound;
    }
    default:
      return undefined;
  }
}

function putContents(
  host: GitHost,
  git: FakeGit,
  path: string,
  body: Record<string, unknown>,
  author: FakeUser,
): Answer {
  const branch = typeof body.branch === "string" ? body.branch : host.defaultBranch;
  const head = git.resolve(branch);
  if (!git.branches.has(branch) || !head) return [404, { message: `Branch ${branch} not found` }];
  const current = git.blobAt(head, path);
  if (current !== undefined && body.sha === undefined)
    return [422, { message: 'Invalid request.\n\n"sha" wasn\'t supplied.' }];
  if (body.sha !== undefined && body.sha !== current)
    return [
      409,
      { message: `${path} does not match ${typeof body.sha === "string" ? body.sha : JSON.stringify(body.sha)}` },
    ];
  const content = Buffer.from(String(body.content), "base64");
  const who = personOf(host, author, host.tick());
  const commit = git.commitFile(branch, path, content, String(body.message), who, true);
  const sha = git.blobAt(commit, path)!;
  return [
    current === undefined ? 201 : 200,
    {
      content: {
        type: "file",
        name: path.split("/").at(-1),
        path,
        sha,
        size: content.length,
        url: `${API}/repos/${host.owner}/${host.repo}/contents/${path}?ref=${branch}`,
      },
      commit: commitJson(host, commit),
    },
  ];
}

function listCommits(host: GitHost, git: FakeGit, url: URL): Answer {
  const ref = url.searchParams.get("sha") ?? host.defaultBranch;
  if (!git.resolve(ref)) return [404, { message: `No commit found for SHA: ${ref}` }];
  const path = url.searchParams.get("path");
  const all = git.log(ref, path ?? undefined);
  const perPage = Number(url.searchParams.get("per_page") ?? 30);
  const page = Number(url.searchParams.get("page") ?? 1);
  const headers: Record<string, string> = {};
  if (page * perPage < all.length) {
    const next = new URLSearchParams(url.searchParams);
    next.set("page", String(page + 1));
    headers.link = `<${API}${url.pathname}?${next.toString()}>; rel="next"`;
  }
  return [200, all.slice((page - 1) * perPage, page * perPage).map((c) => listedCommitJson(host, c)), headers];
}

function createTree(git: FakeGit, body: Record<string, unknown>): Answer {
  const entries = new Map<string, string>();
  if (typeof body.base_tree === "string") {
    const base = git.trees.get(body.base_tree) ?? git.trees.get(git.resolve(body.base_tree)?.tree ?? "");
    if (!base) return [422, { message: "base_tree is not a valid tree oid" }];
    for (const [path, sha] of base) entries.set(path, sha);
  }
  for (const entry of body.tree as Array<Record<string, unknown>>) {
    const path = String(entry.path);
    if (entry.type !== "blob") return [422, { message: "the fake models blob entries only" }];
    if (typeof entry.content === "string" && entry.sha !== undefined)
      return [422, { message: "Must supply either tree.sha or tree.content, not both" }];
    if (typeof entry.content === "string") entries.set(path, git.blob(entry.content));
    else if (entry.sha === null) entries.delete(path);
    else if (typeof entry.sha === "string" && git.blobs.has(entry.sha)) entries.set(path, entry.sha);
    else return [422, { message: "tree.sha is not a valid blob" }];
  }
  const sha = git.tree(entries);
  return [
    201,
    {
      sha,
      url: `${API}/git/trees/${sha}`,
      truncated: false,
      tree: [...entries].map(([path, blob]) => ({ path, mode: "100644", type: "blob", sha: blob })),
    },
  ];
}

function createCommit(host: GitHost, git: FakeGit, body: Record<string, unknown>, author: FakeUser): Answer {
  const tree = String(body.tree);
  if (!git.trees.has(tree)) return [422, { message: "Tree SHA does not exist" }];
  const parents = (body.parents as string[] | undefined) ?? [];
  if (parents.some((p) => !git.commits.has(p)))
    return [422, { message: "Parent SHA does not exist or is not a commit object" }];
  const date = host.tick();
  const who = personOf(host, author, date);
  const given = (value: unknown): GitPerson | undefined => {
    if (!value || typeof value !== "object") return undefined;
    const v = value as Record<string, unknown>;
    return { name: String(v.name), email: String(v.email), date: typeof v.date === "string" ? v.date : date };
  };
  const commitAuthor = given(body.author) ?? who;
  const commit = git.commit({
    parents,
    message: String(body.message),
    author: commitAuthor,
    committer: given(body.committer) ?? commitAuthor,
    tree,
    signedByGitHub: !body.author && !body.committer,
  });
  return [201, commitJson(host, commit)];
}

function createRef(git: FakeGit, body: Record<string, unknown>): Answer {
  const ref = String(body.ref);
  if (!/^refs\/[^/]+\/.+/.test(ref)) return [422, { message: `${ref} is not a valid ref name.` }];
  if (!ref.startsWith("refs/heads/")) return [422, { message: "the fake models branches only" }];
  const name = ref.slice("refs/heads/".length);
  if (git.branches.has(name)) return [422, { message: "Reference already exists" }];
  const sha = String(body.sha);
  if (!git.commits.has(sha)) return [422, { message: "Object does not exist" }];
  git.branches.set(name, sha);
  return [201, { ref, node_id: `REF_${name}`, url: `${API}/git/${ref}`, object: { type: "commit", sha, url: "" } }];
}

/**
 * `PATCH git/refs/{ref}`: a branch moved to a commit; without `force`, only when the commit
 * descends from the branch head (GitHub: 422 "Update is not a fast forward").
 */
function updateRef(git: FakeGit, ref: string, body: Record<string, unknown>): Answer {
  const name = ref.replace(/^heads\//, "");
  const head = git.branches.get(name);
  if (!ref.startsWith("heads/") || !head) return [422, { message: "Reference does not exist" }];
  const sha = String(body.sha);
  if (!git.commits.has(sha)) return [422, { message: "Object does not exist" }];
  if (body.force !== true && !descends(git, sha, head)) return [422, { message: "Update is not a fast forward" }];
  git.branches.set(name, sha);
  return [200, { ref: `refs/${ref}`, node_id: `REF_${name}`, url: "", object: { type: "commit", sha, url: "" } }];
}

function descends(git: FakeGit, sha: string, ancestor: string): boolean {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length) {
    const at = stack.pop()!;
    if (at === ancestor) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    stack.push(...(git.commits.get(at)?.parents ?? []));
  }
  return false;
}

function refJson(host: GitHost, ref: string, sha: string): Record<string, unknown> {
  return {
    ref,
    node_id: `REF_${ref}`,
    url: `${API}/repos/${host.owner}/${host.repo}/git/${ref}`,
    object: { type: "commit", sha, url: `${API}/repos/${host.owner}/${host.repo}/git/commits/${sha}` },
  };
}

function person(p: GitPerson): Record<string, unknown> {
  return { name: p.name, email: p.email, date: p.date };
}

/** A git commit object as `POST git/commits` and `PUT contents` answer it. */
function commitJson(host: GitHost, c: GitCommit): Record<string, unknown> {
  const base = `${API}/repos/${host.owner}/${host.repo}`;
  return {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    url: `${base}/git/commits/${c.sha}`,
    html_url: `https://github.com/${host.owner}/${host.repo}/commit/${c.sha}`,
    author: person(c.author),
    committer: person(c.committer),
    message: c.message,
    tree: { sha: c.tree, url: `${base}/git/trees/${c.tree}` },
    parents: c.parents.map((sha) => ({ sha, url: `${base}/git/commits/${sha}`, html_url: "" })),
    verification: c.signedByGitHub
      ? {
          verified: true,
          reason: "valid",
          signature: "-----BEGIN PGP SIGNATURE-----",
          payload: "",
          verified_at: c.committer.date,
        }
      : { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

/** A commit as `GET /commits` lists it (git fields under `commit`, GitHub users beside). */
function listedCommitJson(host: GitHost, c: GitCommit): Record<string, unknown> {
  const git = commitJson(host, c);
  const user = (p: GitPerson) => (p.user ? host.userJson(p.user) : null);
  return {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    url: `${API}/repos/${host.owner}/${host.repo}/commits/${c.sha}`,
    html_url: git.html_url,
    comments_url: "",
    commit: { ...git, comment_count: 0 },
    author: user(c.author),
    committer: user(c.committer),
    parents: git.parents,
  };
}
