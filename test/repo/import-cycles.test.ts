import { describe, expect, it } from "vitest";
import { importGraph, root } from "./helpers/import-graph.js";

/**
 * Imports run one way (issue 22, part 3): from the handlers down to the domain, with no circle
 * anywhere in src/, type-only imports included. Observation types, what is in effect for a
 * request, and the notices the lower layers recognise live below the modules that use them
 * (src/app/observation.ts, src/app/state/in-effect.ts, src/app/config-notice.ts).
 *
 * The graph is the TypeScript compiler's own (every import and export-from of every file,
 * resolved with the project's tsconfig), the way `madge --circular` reads it; madge itself cannot
 * be installed beside TypeScript 6 (its peer range stops at 5).
 */
/** Every cycle's files, as a list of module paths (relative to src/), found by depth-first search. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push(stack.slice(stack.indexOf(next)).map((f) => f.slice(root.length + 5)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe("src/", () => {
  it("reads its import graph (a check that would find a cycle)", () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(150);
    expect(
      cycles(
        new Map([
          ["a", ["b"]],
          ["b", ["a"]],
        ]),
      ),
    ).toHaveLength(1);
  });

  it("has no import cycle", () => {
    expect(cycles(importGraph())).toEqual([]);
  });
});
