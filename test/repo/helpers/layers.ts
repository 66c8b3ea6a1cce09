import { relative } from "node:path";
import { root } from "./import-graph.js";

/**
 * Imports run one way (issue 22, part 3): from the handlers down to the domain. Inside src/app
 * the layers are, top to bottom:
 *   4 the entry (index.ts: Probot's handlers; start.ts: the start-up check)
 *   3 handlers/ (one webhook each)
 *   2 the runners (sync.ts: one request; sweep-batch.ts; queue.ts; preflight.ts)
 *   1 observe.ts → plan.ts → apply.ts (I/O gathers, a pure planner decides, I/O applies)
 *   0 the domain folders (state/, intake/, commands/, render/, …, github/, ledger/) and the
 *     shared types below them (observation.ts, deps.ts, issue-change.ts, config-notice.ts)
 * A module imports from its own layer or lower. Within layer 1 the planner is pure: plan.ts
 * imports neither observe.ts nor apply.ts, and observe.ts neither of the other two. Outside
 * src/app, the libraries the app, the Action and the CLI share import none of the programs.
 */
const APP_LAYERS: Record<string, number> = {
  "app/index.ts": 4,
  "app/start.ts": 4,
  "app/sync.ts": 2,
  "app/sweep-batch.ts": 2,
  "app/queue.ts": 2,
  "app/preflight.ts": 2,
  "app/observe.ts": 1,
  "app/plan.ts": 1,
  "app/apply.ts": 1,
};
const PIPELINE_FORBIDDEN: Record<string, string[]> = {
  "app/plan.ts": ["app/observe.ts", "app/apply.ts"],
  "app/observe.ts": ["app/plan.ts", "app/apply.ts"],
};
/** The programs: what a library must not import. */
const PROGRAMS = ["app/", "cli/", "operator/", "audit/"];
/** Libraries shared by the programs (src/ folders and files outside them). */
const LIBRARIES = ["acme/", "certificates/", "config/", "delivery/", "record/", "request/", "tokens/", "verify/"];

function layerOf(module: string): number | undefined {
  if (!module.startsWith("app/")) return undefined;
  if (module.startsWith("app/handlers/")) return 3;
  return APP_LAYERS[module] ?? 0;
}

/** Every import that breaks a rule above, as "from → to (why)". */
export function violations(graph: Map<string, string[]>, at = root): string[] {
  const name = (file: string) => relative(`${at}/src`, file);
  const found: string[] = [];
  for (const [file, targets] of graph) {
    const from = name(file);
    for (const target of targets.map(name)) {
      const [a, b] = [layerOf(from), layerOf(target)];
      if (a !== undefined && b !== undefined && b > a)
        found.push(`${from} → ${target} (layer ${a} imports layer ${b})`);
      if (PIPELINE_FORBIDDEN[from]?.includes(target)) found.push(`${from} → ${target} (the planner stays pure)`);
      const library = LIBRARIES.some((l) => from.startsWith(l)) || !from.includes("/");
      if (library && PROGRAMS.some((p) => target.startsWith(p)))
        found.push(`${from} → ${target} (a library imports a program)`);
    }
  }
  return found.sort();
}
