import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { run } from "probot";
import { formatPreflight, preflight, preflightFails, type StartObservation } from "./preflight.js";

/**
 * `npm start`: says at once what is missing or fake (src/app/preflight.ts), then runs the app
 * exactly as `probot run ./dist/src/app/index.js` does (its options and environment unchanged).
 * `npm start -- --check` only prints the check and exits: 0 when every setting is present, 1
 * otherwise.
 */

/** The environment as Probot will see it: `.env` in the working directory wins, as in Probot's applyEnv. */
function observedEnv(cwd: string): Record<string, string | undefined> {
  const path = join(cwd, ".env");
  if (!existsSync(path)) return { ...process.env };
  return { ...process.env, ...parseEnv(readFileSync(path, "utf8")) };
}

/** The key file Probot reads when PRIVATE_KEY is empty (@probot/get-private-key): PRIVATE_KEY_PATH, else the one *.pem. */
function observedKeyFile(env: StartObservation["env"], cwd: string): StartObservation["keyFile"] {
  if (env.PRIVATE_KEY?.trim()) return undefined;
  const read = (name: string, path: string) => {
    try {
      return { name, text: readFileSync(path, "utf8") };
    } catch {
      return { name, problem: "the file cannot be read" };
    }
  };
  const configured = env.PRIVATE_KEY_PATH?.trim();
  if (configured) return read("PRIVATE_KEY_PATH", resolve(cwd, configured));
  const pems = readdirSync(cwd).filter((name) => name.endsWith(".pem"));
  if (pems.length > 1) return { name: "*.pem", problem: `${pems.length} .pem files in the working directory` };
  return pems[0] ? read(pems[0], join(cwd, pems[0])) : undefined;
}

function smeeClientInstalled(): boolean {
  try {
    import.meta.resolve("smee-client");
    return true;
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<void> {
  const cwd = process.cwd();
  const env = observedEnv(cwd);
  const findings = await preflight({ env, keyFile: observedKeyFile(env, cwd), smeeClient: smeeClientInstalled() });
  process.stdout.write(formatPreflight(findings));
  if (argv.includes("--check")) {
    process.exitCode = preflightFails(findings) ? 1 : 0;
    return;
  }
  const app = new URL("./index.js", import.meta.url).href;
  await run([process.argv[0]!, "probot-run", ...argv, app]);
}

await main(process.argv.slice(2));
