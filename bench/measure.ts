import { spawnSync, type SpawnSyncOptions } from "node:child_process";

/** Wall time of a command in milliseconds; throws if it fails unexpectedly. */
export function timeCommand(
  command: string,
  args: string[],
  options: SpawnSyncOptions & { okCodes?: number[] } = {},
): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
    ...options,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const ok = options.okCodes ?? [0];
  if (result.error || !ok.includes(result.status ?? -1)) {
    throw new Error(
      `${command} ${args.slice(0, 3).join(" ")}… exited ${result.status}: ${String(result.stderr).slice(0, 500)}`,
    );
  }
  return ms;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs the measurements interleaved (a, b, a, b, …) so machine noise hits both alike. */
export function interleaved(rounds: number, runs: Record<string, () => number>): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) for (const [name, run] of Object.entries(runs)) samples[name]!.push(run());
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

export const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/**
 * CPU time (user + system) of a command in milliseconds, read with bash's `times` (its children's
 * line): on a machine shared with other work, wall time includes the waits for a core, CPU time
 * does not, so it varies less from run to run. The arguments go to bash as positional
 * parameters, never into the script text.
 */
export function cpuCommand(command: string, args: string[], options: SpawnSyncOptions = {}): number {
  const result = spawnSync("bash", ["-c", '"$@" >/dev/null 2>&1; times', "bash", command, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    ...options,
  });
  const children = String(result.stdout).trim().split("\n").pop() ?? "";
  const parts = [...children.matchAll(/(\d+)m([\d.]+)s/g)];
  if (result.error || parts.length !== 2) throw new Error(`cannot read the CPU time of ${command}`);
  return parts.reduce((ms, [, min, sec]) => ms + (Number(min) * 60 + Number(sec)) * 1000, 0);
}
