import type { ProbotOctokit } from "probot";
import { CONFIG_PATH } from "../../config/parse.js";

type Octokit = InstanceType<typeof ProbotOctokit>;
type RequestFn = (options: Record<string, unknown>) => Promise<CachedResponse>;
interface CachedResponse {
  status: number;
  url: string;
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

/**
 * Reads the app repeats on nearly every event and that rarely change: the configuration file
 * (wherever Probot's loader looks for it), team memberships, the rules in force on a branch
 * (the ledger's protection, asked on every event that syncs a request), and one comment by id
 * (the status comment, read when it did not change since the record: src/app/comments-read.ts).
 * Only these are revalidated.
 */
const CONFIG_FILE = CONFIG_PATH.split("/").at(-1)!;
const REVALIDATED = [
  new RegExp(`^/repos/[^/]+/[^/]+/contents/\\.github/${CONFIG_FILE.replace(/\./g, "\\.")}$`),
  /^\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+$/,
  /^\/repos\/[^/]+\/[^/]+\/rules\/branches\/.+$/,
  /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/,
];

/** What the stored answers may hold in all (their JSON), besides `maxEntries`: a comment can be 64 KiB. */
const MAX_STORED_BYTES = 32 * 1024 * 1024;

/**
 * Conditional GETs (`If-None-Match`) for those reads. The answer is always GitHub's current one:
 * a 304 is GitHub saying the stored response is still exact, and only then is it reused — so a
 * reviewer removed from a team, or a changed configuration, takes effect on the very next event,
 * unlike a time-based cache. What it saves is rate limit: GitHub does not count a 304 against the
 * primary rate limit of an authenticated request ("Best practices for using the REST API", Use
 * conditional requests). It is still one HTTP request.
 *
 * Entries are per installation (never shared between installations) and per URL and media type;
 * errors (a 404 "not a member" above all) are never stored. Bounded in entries and in bytes
 * (MAX_STORED_BYTES): the oldest entries go first.
 */
export class ConditionalCache {
  private readonly entries = new Map<string, { etag: string; response: CachedResponse; bytes: number }>();
  private bytes = 0;
  private readonly installed = new WeakSet<object>();

  constructor(
    private readonly maxEntries = 2_000,
    private readonly maxBytes = MAX_STORED_BYTES,
  ) {}

  /** Adds revalidation to one event's client; `scope` is the installation id. */
  install(octokit: Octokit, scope: string): void {
    if (this.installed.has(octokit)) return;
    this.installed.add(octokit);
    octokit.hook.wrap(
      "request",
      (request, options) =>
        this.send(
          octokit,
          scope,
          request as unknown as RequestFn,
          options as unknown as Record<string, unknown>,
        ) as never,
    );
  }

  get size(): number {
    return this.entries.size;
  }

  private async send(
    octokit: Octokit,
    scope: string,
    request: RequestFn,
    options: Record<string, unknown>,
  ): Promise<CachedResponse> {
    const parsed = octokit.request.endpoint.parse(options as Parameters<Octokit["request"]["endpoint"]["parse"]>[0]);
    const path = decodeURIComponent(new URL(parsed.url).pathname);
    if (parsed.method !== "GET" || !REVALIDATED.some((r) => r.test(path))) return request(options);
    const key = `${scope} ${String(parsed.headers.accept ?? "")} ${parsed.url}`;
    const stored = this.entries.get(key);
    try {
      // In place: Octokit's hook chain hands every hook the same options object (each request
      // has its own), so a copy would not reach the inner hooks or the HTTP request.
      if (stored)
        options.headers = { ...(options.headers as Record<string, string> | undefined), "if-none-match": stored.etag };
      const response = await request(options);
      this.remember(key, response);
      return response;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 304 && stored) {
        this.entries.delete(key);
        this.entries.set(key, stored); // most recently used last
        return { ...stored.response, data: structuredClone(stored.response.data) };
      }
      this.forget(key);
      throw error;
    }
  }

  private remember(key: string, response: CachedResponse): void {
    const etag = response.headers.etag;
    this.forget(key);
    if (response.status !== 200 || typeof etag !== "string" || !etag) return;
    const bytes = JSON.stringify(response.data ?? null).length;
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { etag, response: { ...response, data: structuredClone(response.data) }, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes)
      this.forget(this.entries.keys().next().value!);
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= entry.bytes;
    this.entries.delete(key);
  }
}
