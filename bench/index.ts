import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { benchCertificates } from "./certificates.js";
import { benchHostile } from "./hostile.js";

// `npm run bench` builds first, so the CLI is measured as users run it (compiled, not via tsx).
// `npm run bench -- certificates tokens` runs only the sections named.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const sections: Array<[string, () => Promise<string[]>]> = [
  ["certificates", () => benchCertificates(repo)],
  ["hostile input", benchHostile],
];
for (const [name, file, fn] of [
  ["app", "./app.js", "benchApp"],
  ["tokens", "./tokens.js", "benchTokens"],
  ["audit", "./audit.js", "benchAudit"],
  ["scale", "./scale.js", "benchScale"],
  ["token run", "./token-run-cost.js", "benchTokenRunCost"],
] as const) {
  if (existsSync(resolve(repo, "bench", file.replace(".js", ".ts")))) {
    sections.push([name, async () => ((await import(file)) as Record<string, () => Promise<string[]>>)[fn]!()]);
  }
}
const wanted = process.argv.slice(2).map((a) => a.toLowerCase());
const unknown = wanted.filter((w) => !sections.some(([name]) => name.startsWith(w)));
if (unknown.length > 0) {
  console.error(`unknown bench section(s): ${unknown.join(", ")}; sections: ${sections.map(([n]) => n).join(", ")}`);
  process.exit(2);
}
for (const [name, run] of sections) {
  if (wanted.length > 0 && !wanted.some((w) => name.startsWith(w))) continue;
  console.log(`\n## ${name}`);
  for (const line of await run()) console.log(line);
}
