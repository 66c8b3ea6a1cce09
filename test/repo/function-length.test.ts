import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { longFunctions } from "../../scripts/function-lengths.js";

/** House rule: no function in src/ or action/ longer than 70 lines (scripts/function-lengths.ts). */
const MAX_LINES = 70;

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

describe("function length", () => {
  it(`no function in src/ or action/ is longer than ${MAX_LINES} lines`, () => {
    const long = longFunctions([root("src"), root("action")], {
      max: MAX_LINES,
      exclude: [root("action/dist")],
    });
    expect(long.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`)).toEqual([]);
  });

  it("counts every kind of function, nested ones too, from its first line to its last", () => {
    const dir = mkdtempSync(join(tmpdir(), "function-lengths-"));
    try {
      const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join("\n");
      writeFileSync(
        join(dir, "sample.ts"),
        [
          `export function declared() {\n${body(3)}\n}`, // 5 lines
          `const arrow = () => {\n${body(4)}\n};`, // 6 lines
          `class C {\n  method() {\n${body(5)}\n  }\n}`, // method: 7 lines
          `export function outer() {\n  const inner = function () {\n${body(6)}\n  };\n}`, // outer 10, inner 8
          `function short() { return 1; }`,
        ].join("\n"),
      );
      writeFileSync(join(dir, "types.d.ts"), `declare function f(): void;\n`);
      const found = longFunctions([dir], { max: 4 }).map((f) => [f.name, f.lines]);
      expect(found).toEqual([
        ["outer", 10],
        ["inner", 8],
        ["method", 7],
        ["arrow", 6],
        ["declared", 5],
      ]);
      expect(longFunctions([dir], { max: 4, exclude: [join(dir, "sample.ts")] })).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
