import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timeCommand } from "./measure.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Where a command spends its time, by self time grouped into npm packages, project files and
 * Node internals: the "why" a bench prints next to a missed target. Run on the unbundled build
 * (dist/), whose file names survive, since the minified bundle's do not.
 */
export function profileCommand(args: string[], options: { cwd?: string; top?: number } = {}): string[] {
  const dir = mkdtempSync(join(tmpdir(), "onerecord-prof-"));
  try {
    timeCommand(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, ...args], {
      cwd: options.cwd,
      okCodes: [0, 1],
    });
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) return ["  (no profile written)"];
    return summarize(JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile, options.top ?? 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(profile: Profile, top: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const groups = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const group = groupOf(byId.get(id));
    groups.set(group, (groups.get(group) ?? 0) + us);
  });
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([group, us]) =>
        `    ${(us / 1000).toFixed(0).padStart(6)} ms  ${((100 * us) / total).toFixed(0).padStart(3)}%  ${group}`,
    );
}

function groupOf(node: ProfileNode | undefined): string {
  if (!node) return "(unknown)";
  const { functionName, url } = node.callFrame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/dist\/(src\/.+)$/.exec(url);
  if (own) return own[1]!;
  if (url.startsWith("node:") || (!url.includes("/") && url !== "")) {
    // Node's own JS: name the native operation that ran (X509Certificate, verify, module loading).
    return `node ${functionName || url}`;
  }
  return functionName ? `(${functionName})` : "(native)";
}
