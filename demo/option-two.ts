import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import acme from "acme-client";
import { parseDocument } from "yaml";
import { CERTIFICATE_OPTIONS } from "../src/app/intake/form.js";
import { trustAnchorFromPem } from "../src/certificates/index.js";
import { addExtraCa } from "../src/config/add-extra-ca.js";
import { CONFIG_PATH } from "../src/config/parse.js";
import { decryptDeviceKey } from "../src/delivery/decrypt-device-key.js";
import { makeDeliveryKeyPair } from "../src/delivery/key-pair.js";
import { parseObtainedComment } from "../src/record/obtained-comment.js";
import type { BundleRun } from "../test/action/issue-tokens/runner.js";
import { personOf } from "../test/app/helpers/fake-git-routes.js";
import { commentEvent } from "../test/app/helpers/payloads.js";
import type { Scenario } from "../test/app/helpers/scenario.js";
import { mergePr } from "../test/app/helpers/test-ca.js";
import { noPebble, startPebble, type Pebble } from "../test/helpers/pebble.js";
import { publishConfig } from "./evidence.js";
import { obtainRun, prCheck, SHA, WORKFLOW_BOT, workspaceWith, type Workflow } from "./workflows.js";

/**
 * Option 2 in the demo (issue 20): a second request whose certificate OneRecord obtains for the
 * customer. The obtain workflow (the committed Action bundle, mode obtain-certificates) orders it
 * from a real ACME server, Let's Encrypt's Pebble (Debian package `pebble`) on 127.0.0.1 with
 * External Account Binding, and posts the key encrypted to jane's delivery key; the app opens the
 * pull request that commits the certificate; jane decrypts the key and says `/keys-received`.
 * Without Pebble the chapter is skipped, saying so.
 */
export const OPTION_TWO_DEVICE = "pump-1";
const RUN_ID = 5151;
const OBTAIN_WORKFLOW = ".github/workflows/obtain-certificates.yml";

export interface OptionTwoResult {
  request: number;
  /** The configuration the demo published for option 2 (its CA's root trusted). */
  config: string;
  /** The merged certificate files, for the token workflow's checkout. */
  files: Record<string, Uint8Array>;
  obtainRun: BundleRun;
  checks: Array<{ title: string; run: BundleRun }>;
}

export async function optionTwo(
  s: Scenario,
  w: Workflow,
  signingKey: string,
  say: (line: string) => void,
): Promise<OptionTwoResult | null> {
  if (noPebble) {
    say(`option 2 (certificates OneRecord obtains for the customer) skipped: ${noPebble}`);
    return null;
  }
  const pebble = await startPebble();
  const dir = mkdtempSync(join(tmpdir(), "onerecord-demo-acme-"));
  try {
    return await withPebble(s, w, signingKey, say, pebble, dir);
  } finally {
    pebble.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withPebble(
  s: Scenario,
  w: Workflow,
  signingKey: string,
  say: (line: string) => void,
  pebble: Pebble,
  dir: string,
): Promise<OptionTwoResult> {
  // The CA operator's side: an account whose profile covers the devices' names (EAB), its root.
  const accountKey = (await acme.crypto.createPrivateEcdsaKey()).toString();
  await pebble.preValidate(accountKey, [`${OPTION_TWO_DEVICE}.acme-health.devices.example.com`]);
  const config = await withOnBehalf(s, pebble);
  // The default branch in the stand-in's git model: the app's pull request branches from it.
  const otto = personOf(s.gh, { login: "otto", type: "User" }, s.gh.now());
  if (!s.gh.ledgerGit().branches.has("main"))
    s.gh.ledgerGit().commitFile("main", "README.md", "requests\n", "init", otto);
  const delivery = await makeDeliveryKeyPair();
  const n = await s.open({
    devices: [OPTION_TWO_DEVICE],
    option: CERTIFICATE_OPTIONS[1],
    deliveryKey: JSON.stringify(delivery.publicJwk),
  });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  say(`jane opens request #${n} choosing option 2 with her delivery key; certified: stage ${s.record(n).stage}`);

  const caFile = join(dir, "ca-listener.pem");
  writeFileSync(caFile, String((pebble.agent.options as { ca: string }).ca));
  s.gh.runs.set(RUN_ID, {
    path: OBTAIN_WORKFLOW,
    head_branch: "main",
    event: "workflow_dispatch",
    status: "in_progress",
    conclusion: null,
    run_attempt: 1,
    display_title: `Obtain certificates for request #${n}`,
    head_sha: SHA,
  });
  const run = await obtainRun(w, {
    request: n,
    runId: RUN_ID,
    maintainer: "tom",
    signingKey,
    workspace: workspaceWith({ [CONFIG_PATH]: config }),
    acme: { kid: pebble.eab.kid, hmac: pebble.eab.hmacKey, accountKey, caFile },
  });
  say(
    `tom runs the obtain workflow: ${run.outputs["obtained-count"] ?? "no"} certificate(s) obtained from the CA over ACME, exit ${run.code}`,
  );
  const report = s.gh.commentsOn(n).find((m) => m.user.login === WORKFLOW_BOT.login);
  if (report) await s.probot.receive(commentEvent(s.gh, "created", report));
  const pull = s.gh.opened.at(-1);
  say(`the app records it and opens pull request #${pull?.number ?? "?"} committing the certificate: ${state(s, n)}`);
  const merged = pull ? await mergeObtained(s, w, n, pull, config) : { checks: [], files: {} };
  say(`rita merges it: ${state(s, n)}`);
  await decryptAndConfirm(s, n, delivery.privatePem, report?.body ?? "", say);
  return { request: n, config, files: merged.files, obtainRun: run, checks: merged.checks };
}

/** The configuration with `certificates.onBehalf` (the demo's CA) and that CA's root trusted. */
async function withOnBehalf(s: Scenario, pebble: Pebble): Promise<string> {
  const doc = parseDocument(s.gh.files.get(`main:${CONFIG_PATH}`)!.toString("utf8"));
  doc.setIn(["certificates", "onBehalf"], {
    directory: pebble.directory,
    identifier: "{device}.{account}.devices.example.com",
  });
  const rootPem = await pebble.rootPem();
  const edited = addExtraCa(doc.toString(), {
    brand: "OneRecord demo CA (Pebble)",
    fingerprintSha256: trustAnchorFromPem(rootPem, "demo").fingerprintSha256,
    pem: rootPem,
    comment: ["The CA option 2 orders from in the demo (a Pebble started for this run)"],
  });
  if (!edited.ok) throw new Error(`demo configuration: ${edited.reason}`);
  publishConfig(s, edited.text, "Option 2: OneRecord's CA");
  return edited.text;
}

async function mergeObtained(
  s: Scenario,
  w: Workflow,
  n: number,
  pull: { number: number; head: string },
  config: string,
): Promise<Pick<OptionTwoResult, "checks" | "files">> {
  const path = `certificates/${n}/${OPTION_TWO_DEVICE}.pem`;
  const chain = s.gh.ledgerGit().fileAt(pull.head, path)!.content;
  s.gh.pullFiles.set(pull.number, [{ filename: path, status: "added" }]);
  s.gh.setFile(CONFIG_PATH, config, SHA);
  const check = await prCheck(w, pull.number, 1, workspaceWith({ [path]: chain, [CONFIG_PATH]: config }));
  const files = { [path]: new Uint8Array(chain) };
  await mergePr(s, pull.number, files, `${pull.number}`.padEnd(40, "d"));
  return { checks: [{ title: `PR #${pull.number} (opened by the app): validate certificates`, run: check }], files };
}

async function decryptAndConfirm(
  s: Scenario,
  n: number,
  deliveryPrivatePem: string,
  reportBody: string,
  say: (line: string) => void,
): Promise<void> {
  const parsed = parseObtainedComment(reportBody);
  const entry = parsed.ok ? parsed.block.obtained.find((e) => e.device === OPTION_TWO_DEVICE) : undefined;
  if (!entry) {
    say("no encrypted key was posted (unexpected)");
    return;
  }
  const certificate = new X509Certificate(entry.chainPem);
  const opened = await decryptDeviceKey(entry.keyJwe, createPrivateKey(deliveryPrivatePem), certificate.publicKey);
  const same = createPublicKey(opened.pem)
    .export({ type: "spki", format: "der" })
    .equals(certificate.publicKey.export({ type: "spki", format: "der" }));
  say(
    `jane decrypts ${OPTION_TWO_DEVICE}'s private key with her delivery key (never shown): ${same ? "it is the key of the merged certificate" : "it does not match (unexpected)"}`,
  );
  await s.say(n, "jane", "/keys-received");
  const left = s.gh.commentsOn(n).some((m) => m.body.includes("onerecord-access:obtained"));
  say(
    `jane says /keys-received: the comment holding the encrypted key is ${left ? "still there (unexpected)" : "removed"}`,
  );
}

function state(s: Scenario, n: number): string {
  return `stage ${s.record(n).stage}; labels ${s.labels(n).join(", ")}`;
}
