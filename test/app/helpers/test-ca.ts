import { trustAnchorFromPem } from "../../../src/certificates/index.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, makeSelfSignedLeaf, pemFile } from "../../helpers/pki.js";
import { pullRequestEvent } from "./payloads.js";
import { CONFIG, Scenario } from "./scenario.js";

/** The app validates merged certificates at the merge time: scenarios run while the test PKI's certificates are valid. */
export const SCENARIO_START = new Date(AT.getTime() - 10 * 86_400_000).toISOString();

export interface TestCa {
  /** The scenario config plus the test root as a configured extra CA (the "ask support to add a CA" path). */
  config: string;
  /** Leaf certificate files (leaf + intermediate, PEM) by device id; "self-signed" is one that must fail. */
  leaves: Map<string, Uint8Array>;
}

/** A root, an intermediate and a leaf per device, made at test time. */
export async function makeTestCa(devices: readonly string[], baseConfig = CONFIG): Promise<TestCa> {
  const root = await makeRoot({ cn: "App Test Root" });
  const intermediate = await makeIntermediate(root, { cn: "App Test Intermediate" });
  const leaves = new Map<string, Uint8Array>();
  for (const device of devices) leaves.set(device, pemFile(await makeLeaf(intermediate, { cn: device }), intermediate));
  leaves.set("self-signed", pemFile(await makeSelfSignedLeaf({ cn: "self-signed" })));
  return { config: extraCaConfig(root.pem, "Test CA", baseConfig), leaves };
}

/** `base` followed by `certificates.extraCAs` holding one root, as the configuration YAML says it. */
export function extraCaConfig(rootPem: string, brand: string, base = CONFIG): string {
  const anchor = trustAnchorFromPem(rootPem, brand);
  const pem = rootPem
    .trim()
    .split("\n")
    .map((l) => `        ${l}`)
    .join("\n");
  return `${base}certificates:\n  extraCAs:\n    - brand: ${brand}\n      fingerprintSha256: "${anchor.fingerprintSha256}"\n      pem: |\n${pem}\n`;
}

export async function startScenario(ca: TestCa, extraConfig = ""): Promise<Scenario> {
  const started = await Scenario.start(`${ca.config}${extraConfig}`);
  started.gh.setClock(SCENARIO_START);
  return started;
}

/**
 * A PR with these files, merged (by rita); merged files get their content at the merge commit and
 * on the default branch, whose history then names the merge commit as this PR's.
 */
export async function mergePr(
  s: Scenario,
  number: number,
  files: Record<string, Uint8Array | null>,
  commit = `${number}`.padEnd(40, "a"),
): Promise<void> {
  s.gh.pullFiles.set(
    number,
    Object.entries(files).map(([filename, bytes]) => ({ filename, status: bytes === null ? "removed" : "added" })),
  );
  for (const [path, bytes] of Object.entries(files)) if (bytes) s.gh.setFile(path, bytes, commit);
  s.gh.tick();
  s.gh.mergeToBranch(number, commit, files, { mergedBy: "rita" });
  await s.probot.receive(
    pullRequestEvent(s.gh, "closed", { number, merged: true, mergeCommit: commit, mergedBy: "rita" }),
  );
}
