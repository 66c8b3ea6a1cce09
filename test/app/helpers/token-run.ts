import { generateKeyPairSync } from "node:crypto";
import { stringify } from "yaml";
import { signIssuanceProof, writeIssuanceBlock, type IssuanceBlock } from "../../../src/record/issuance-comment.js";
import { thumbprintFromFingerprint } from "../../../src/record/tokens.js";
import { loadSigningKey, type SigningKey } from "../../../src/tokens/signing-key.js";
import type { FakeComment, FakeRun } from "./fake-github.js";
import { commentEvent, workflowRunEvent } from "./payloads.js";
import type { Scenario } from "./scenario.js";
import { mergePr, startScenario, type TestCa } from "./test-ca.js";

/**
 * The token workflow's side of a scenario (docs/token-workflow.md): a run dispatched by a
 * maintainer posts its proven issuance comment as github-actions[bot], then completes.
 */

export const TOKEN_WORKFLOW = ".github/workflows/issue-tokens.yml";
export const WORKFLOW_BOT = { login: "github-actions[bot]", type: "Bot" as const };

/** The token workflow's signing key, made at test time; the configuration publishes its JWKS. */
export async function makeTokenKey(): Promise<SigningKey> {
  const pem = generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ format: "pem", type: "pkcs8" })
    .toString();
  return loadSigningKey(pem);
}

/** A request in stage tokens: ticked by rita, approved by tom, every device's certificate merged in PR 50. */
export async function requestInTokens(
  ca: TestCa,
  key: SigningKey,
  devices: string[],
  tokens: Record<string, unknown> = {},
  config: Record<string, unknown> = {},
): Promise<[Scenario, number]> {
  const s = await startScenario(ca, stringify({ tokens: { jwks: key.jwks, ...tokens }, ...config }));
  const n = await s.open({ devices });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  await mergePr(s, 50, Object.fromEntries(devices.map((d) => [`certificates/${n}/${d}.pem`, ca.leaves.get(d)!])));
  return [s, n];
}

/** The token workflow's run for request `n` as a dispatch leaves it: in progress, first attempt. */
export function dispatchedRun(n: number, by = "otto"): FakeRun {
  const actor = { login: by, id: 31, type: "User" };
  return {
    path: TOKEN_WORKFLOW,
    head_branch: "main",
    event: "workflow_dispatch",
    status: "in_progress",
    conclusion: null,
    run_attempt: 1,
    request: n,
    actor,
    triggering_actor: actor,
  };
}

export interface TokenRunOptions {
  /** Who dispatched the run (`triggering_actor`); default "otto". */
  actor?: string;
  /** Split the devices over this many issuance comments (parts); default 1. */
  parts?: number;
  /** Leave the run in progress (its comments pending). */
  inProgress?: boolean;
}

/** A token run for `devices`: its issuance comment(s) posted and delivered, then (unless told otherwise) completed. */
export async function tokenRun(
  s: Scenario,
  n: number,
  key: SigningKey,
  runId: number,
  devices: string[],
  options: TokenRunOptions = {},
): Promise<FakeComment[]> {
  const run = dispatchedRun(n, options.actor);
  s.gh.runs.set(runId, run);
  const parts = options.parts ?? 1;
  const size = Math.ceil(devices.length / parts);
  const comments: FakeComment[] = [];
  for (let part = 1; part <= parts; part++) {
    const slice = devices.slice((part - 1) * size, part * size);
    const block = issuanceBlock(s, n, runId, slice, { part, parts, jti: `${runId}-${part}` });
    const proof = await signIssuanceProof(block, key);
    const comment = s.gh.addComment(n, `${writeIssuanceBlock({ ...block, proof })}\n### Device tokens`, WORKFLOW_BOT);
    await s.probot.receive(commentEvent(s.gh, "created", comment));
    comments.push(comment);
  }
  if (options.inProgress) return comments;
  s.gh.runs.set(runId, { ...run, status: "completed", conclusion: "success", updated_at: s.gh.tick() });
  await s.probot.receive(workflowRunEvent(s.gh, { id: runId, title: `Issue tokens for request #${n}` }));
  return comments;
}

/** What an issuance block may say differently from a genuine one of the token workflow. */
export interface BlockOptions {
  attempt?: number;
  workflow?: string;
  /** The jti prefix of its entries (default `<runId>-<attempt>`). */
  jti?: string;
  /** Overrides the thumbprint of every entry (default: the device's recorded certificate). */
  x5tS256?: string;
  part?: number;
  parts?: number;
}

/** The issuance block the token workflow would write for `devices` of request `n`. */
export function issuanceBlock(
  s: Scenario,
  n: number,
  runId: number,
  devices: string[],
  options: BlockOptions = {},
): IssuanceBlock {
  const record = s.record(n);
  const current = new Map(record.certificates.map((c) => [c.device, c.fingerprintSha256!]));
  // As the token workflow does: each token carries the status list index the app allocated.
  const allocated = new Map((record.statusIndexes ?? []).map((a) => [a.device, a.idx]));
  const iat = Math.floor(Date.parse(s.gh.tick()) / 1000);
  return {
    version: 1,
    repository: "acme/access-requests",
    request: n,
    runId,
    runAttempt: options.attempt ?? 1,
    runUrl: `https://github.com/acme/access-requests/actions/runs/${runId}`,
    workflow: options.workflow ?? TOKEN_WORKFLOW,
    ref: "refs/heads/main",
    sha: "b".repeat(40),
    issuedAt: new Date(iat * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    part: options.part ?? 1,
    parts: options.parts ?? 1,
    issued: devices.map((device, i) => ({
      device,
      jti: `${options.jti ?? `${runId}-${options.attempt ?? 1}`}-${i}`,
      x5tS256:
        options.x5tS256 ?? (current.has(device) ? thumbprintFromFingerprint(current.get(device)!) : "A".repeat(43)),
      iat,
      exp: iat + 86_400 * 365,
      jwe: "eyJhbGciOiJFQ0RILUVTIn0.a.b.c.d",
      ...(allocated.has(device) ? { statusIdx: allocated.get(device)! } : {}),
    })),
  };
}
