import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { benchCertificates } from "./certificates.js";
import { benchHostile } from "./hostile.js";

// `npm run bench` builds first, so the CLI is measured as users run it (compiled, not via tsx).
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const sections: Array<[string, () => Promise<string[]>]> = [
  ["certificates", () => benchCertificates(repo)],
  ["hostile input", benchHostile],
];
for (const [name, file, fn] of [
  ["app", "./app.js", "benchApp"],
  ["tokens", "./tokens.js", "benchTokens"],
] as const) {
  if (existsSync(resolve(repo, "bench", file.replace(".js", ".ts")))) {
    sections.push([name, async () => ((await import(file)) as Record<string, () => Promise<string[]>>)[fn]!()]);
  }
}
for (const [name, run] of sections) {
  console.log(`\n## ${name}`);
  for (const line of await run()) console.log(line);
}
