import { describe, expect, it } from "vitest";
import { importGraph, root } from "./helpers/import-graph.js";
import { violations } from "./helpers/layers.js";

/** The rules: test/repo/helpers/layers.ts. */
describe("the layers of src/", () => {
  it("hold: every import runs from a layer to the same or a lower one", () => {
    expect(violations(importGraph())).toEqual([]);
  });

  it("would see an import that runs upward (the check can fail)", () => {
    const at = root;
    const graph = new Map([
      [`${at}/src/app/state/reduce.ts`, [`${at}/src/app/sync.ts`]],
      [`${at}/src/app/plan.ts`, [`${at}/src/app/observe.ts`]],
      [`${at}/src/record/schema.ts`, [`${at}/src/app/deps.ts`]],
      [`${at}/src/app/handlers/comments.ts`, [`${at}/src/app/state/reduce.ts`]],
    ]);
    expect(violations(graph, at)).toEqual([
      "app/plan.ts → app/observe.ts (the planner stays pure)",
      "app/state/reduce.ts → app/sync.ts (layer 0 imports layer 2)",
      "record/schema.ts → app/deps.ts (a library imports a program)",
    ]);
  });
});
