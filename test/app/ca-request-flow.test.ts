import { X509Certificate } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/parse.js";
import { caRequestPath, verifyCaRequest, type CaRequestRecord } from "../../src/record/ca-request.js";
import { ledgerFileText } from "../../src/record/ledger-file.js";
import { signTypedPayload } from "../../src/record/signature.js";
import { loadRecordSigningKey } from "../../src/record/record-signing-key.js";
import { makeLeaf, makeRoot, privateKeySamples, validFor, type Issued } from "../helpers/pki.js";
import { caBody, type CaFormValues } from "./helpers/ca-form.js";
import { formBody } from "./helpers/form.js";
import { commentEvent, issueEvent, pullRequestEvent } from "./helpers/payloads.js";
import { CONFIG, Scenario } from "./helpers/scenario.js";
import { extraCaConfig } from "./helpers/test-ca.js";
import { testRecordKey } from "./helpers/record-key.js";
import { personOf } from "./helpers/fake-git-routes.js";

/**
 * Adding a certificate authority on request (issue 20, part 2; docs/adding-a-ca.md), on the
 * GitHub stand-in: the form judged in a status comment, `/approve-ca` by a reviewer who is not the
 * requester, the app's pull request editing `certificates.extraCAs` with the operator's comments
 * kept, the merge closing the request; every step in the signed record `ca-requests/<n>.json`.
 */
const CA_STATUS = "<!-- onerecord-access:ca-status -->";
const BRANCH = (n: number) => `onerecord-access/add-ca-${n}`;
/** The operator's comment at the top of the configuration, which the pull request must keep. */
const OPERATOR_COMMENT = "# Who reviews production access (the security team owns this file)";

let root: Issued;
let leaf: Issued;
let s: Scenario | undefined;
beforeAll(async () => {
  root = await makeRoot({ cn: "Example Client Root", ...validFor(3650) });
  leaf = await makeLeaf(root, { cn: "gw-1", ...validFor(300) });
});
afterEach(() => {
  s?.stop();
  s = undefined;
});

async function start(config = CONFIG): Promise<Scenario> {
  s = await Scenario.start(config);
  await s.restartWithRecordKey();
  const path = ".github/onerecord-access.yml";
  s.gh.setFile(path, `${OPERATOR_COMMENT}\n${s.gh.files.get(`main:${path}`)!.toString("utf8")}`);
  // The default branch exists in the git model: the app's pull request branches from it.
  s.gh
    .ledgerGit()
    .commitFile("main", "README.md", "requests\n", "init", personOf(s.gh, { login: "otto", type: "User" }, s.gh.now()));
  return s;
}

async function openCa(values: CaFormValues, author = "jane"): Promise<number> {
  const issue = s!.gh.openIssue(caBody(values), author);
  await s!.probot.receive(issueEvent(s!.gh, "opened", issue.number));
  return issue.number;
}

async function say(n: number, who: string, body: string): Promise<void> {
  const comment = s!.gh.addComment(n, body, who);
  await s!.probot.receive(commentEvent(s!.gh, "created", comment));
}

/** The status comment as read (Markdown escapes removed). */
function status(n: number): string {
  return (s!.gh.botComments(n).find((c) => c.body.startsWith(CA_STATUS))?.body ?? "").replace(
    /\\(?=[!-/:-@[-`{-~])/g,
    "",
  );
}

function replies(n: number): string[] {
  return s!.gh
    .botComments(n)
    .filter((c) => !c.body.startsWith(CA_STATUS))
    .map((c) => c.body);
}

/** What a reviewer types to approve `pem`'s root: its SHA-256's first 16 hex digits. */
function named(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replace(/:/g, "").slice(0, 16).toLowerCase();
}

/** The form edited to another root (by `editor`, else its author), and the `issues.edited` webhook. */
async function editCa(n: number, rootPem: string, editor?: string): Promise<void> {
  const before = s!.gh.issues.get(n)!.body;
  s!.gh.editIssueBody(n, caBody({ "root-certificate": rootPem }), editor);
  await s!.probot.receive(issueEvent(s!.gh, "edited", n, { changes: { body: { from: before } } }));
}

/** The app's pull request for request `n` merged (people merge it; the webhook says so). */
async function mergeAppPull(n: number, number: number): Promise<void> {
  await s!.probot.receive(
    pullRequestEvent(s!.gh, "closed", { number, merged: true, author: "onerecord-access[bot]", head: BRANCH(n) }),
  );
}

async function record(n: number): Promise<CaRequestRecord> {
  const text = s!.gh.ledgerGit().fileAt("onerecord-access/records", caRequestPath(n))?.content.toString("utf8");
  const verdict = await verifyCaRequest(text, (await testRecordKey()).jwks, {
    repository: `${s!.gh.owner}/${s!.gh.repo}`,
    issue: n,
  });
  if (!verdict.ok) throw new Error(`record does not verify: ${verdict.code}`);
  return verdict.record;
}

describe("adding a certificate authority", () => {
  it("judges the root, takes /approve-ca from another reviewer only, opens the pull request, and closes on merge", async () => {
    await start();
    const n = await openCa({ "root-certificate": root.pem });
    const fingerprint = new X509Certificate(root.pem).fingerprint256;
    expect(status(n)).toContain("waiting for a reviewer");
    expect(status(n)).toContain(fingerprint);
    expect(status(n)).toMatch(/\| Already approved \| no \|/);
    expect(status(n)).toMatch(/\| CCADB \| not in the committed CCADB facts/);
    expect(await record(n)).toMatchObject({ stage: "submitted", requester: { login: "jane" }, decisions: [] });

    await say(n, "jane", `/approve-ca ${named(root.pem)}`);
    await say(n, "mallory", `/approve-ca ${named(root.pem)}`);
    expect(replies(n)).toEqual([
      expect.stringMatching(/`\/approve-ca` was not run: the requester may not approve .*\(requester\)/),
      expect.stringMatching(/`\/approve-ca` was not run: only a reviewer .*\(not-reviewer\)/),
    ]);
    expect(s!.gh.opened).toEqual([]);

    await say(n, "rita", "/approve-ca");
    expect(replies(n).at(-1)).toMatch(/name the root you approve by its SHA-256.*\(fingerprint-missing\)/);
    await say(n, "rita", "/approve-ca 00112233445566778899");
    expect(replies(n).at(-1)).toMatch(/\(fingerprint-mismatch\)/);
    expect(status(n)).toContain(`/approve-ca ${fingerprint.replace(/:/g, "").slice(0, 16)} [note]`);
    expect(s!.gh.opened).toEqual([]);
    await say(n, "rita", `/approve-ca ${named(root.pem)} fingerprint checked with the CA's site`);
    expect(s!.gh.opened).toHaveLength(1);
    const pull = s!.gh.opened[0]!;
    expect(pull).toMatchObject({ head: BRANCH(n), base: "main", by: "onerecord-access[bot]" });
    expect(pull.title).toBe(`Add certificate authority: Example Trust Services (#${n})`);
    expect(pull.body).toContain(fingerprint);
    const proposed = s!.gh.ledgerGit().fileAt(BRANCH(n), ".github/onerecord-access.yml")!.content.toString("utf8");
    // The operator's comment kept; the entry explained; the result a valid configuration trusting the root.
    expect(proposed.startsWith(`${OPERATOR_COMMENT}\nreviewers:\n`)).toBe(true);
    expect(proposed).toMatch(/# Requested in https:\/\/github\.com\/\S+\/issues\/\d+ by jane; approved by rita/);
    expect(parseConfigText(proposed).certificates.extraCAs).toEqual([
      expect.objectContaining({ brand: "Example Trust Services", fingerprintSha256: fingerprint }),
    ]);
    const approved = await record(n);
    expect(approved).toMatchObject({ stage: "approved", pull: { number: pull.number, branch: BRANCH(n) } });
    expect(approved.decisions.map((d) => [d.by, d.outcome])).toEqual([
      ["jane", "requester"],
      ["mallory", "not-reviewer"],
      ["rita", "fingerprint-missing"],
      ["rita", "fingerprint-mismatch"],
      ["rita", "accepted"],
    ]);
    expect(status(n)).toContain(`Pull request #${pull.number}`);

    // A second approval changes nothing; a redelivered webhook opens no second pull request.
    await say(n, "tom", `/approve-ca ${named(root.pem)}`);
    expect(replies(n).at(-1)).toMatch(/\(already-approved\)/);
    await s!.probot.receive(issueEvent(s!.gh, "opened", n));
    expect(s!.gh.opened).toHaveLength(1);

    // People merge it: the root is on the default branch, the request is done.
    s!.gh.setFile(".github/onerecord-access.yml", proposed);
    await mergeAppPull(n, pull.number);
    expect(await record(n)).toMatchObject({ stage: "added", addedAt: expect.any(String) });
    expect(status(n)).toContain("added: certificates under this root are accepted");
    expect(s!.gh.issues.get(n)!.state).toBe("closed");
  });

  it("refuses a leaf, two certificates, garbage and a private key in the status, and approves none of them", async () => {
    await start();
    const key = privateKeySamples().find((k) => /PKCS#8 PEM/.test(k.label))!;
    const cases: Array<[CaFormValues, RegExp]> = [
      [{ "root-certificate": leaf.pem }, /not a CA certificate.*\(not-a-ca\)/],
      [{ "root-certificate": `${root.pem}\n${leaf.pem}` }, /2 certificates were given.*\(not-one-certificate\)/],
      [{ "root-certificate": "please see attachment" }, /no certificate could be read.*\(not-a-certificate\)/],
      [{ "root-certificate": Buffer.from(key.bytes).toString("utf8") }, /holds a private key/],
    ];
    for (const [values, problem] of cases) {
      const n = await openCa(values);
      expect(status(n)).toContain("the form needs changes");
      expect(status(n)).toMatch(problem);
      await say(n, "rita", `/approve-ca ${named(root.pem)}`);
      expect(replies(n).at(-1)).toMatch(/\(form-invalid\)/);
      expect((await record(n)).stage).toBe("needs-changes");
    }
    for (const comment of s!.gh.botComments(cases.length))
      for (const secret of key.secrets) expect(comment.body).not.toContain(secret);
    expect(s!.gh.opened).toEqual([]);
  });

  it("says a root already approved is, and a rejection closes the request for good", async () => {
    await start(extraCaConfig(root.pem, "Example CA"));
    const known = await openCa({ "root-certificate": root.pem });
    expect(status(known)).toContain("this root is already approved");
    expect(status(known)).toMatch(/\| Already approved \| yes, as Example CA \|/);
    await say(known, "rita", `/approve-ca ${named(root.pem)}`);
    expect(replies(known).at(-1)).toMatch(/\(already-trusted\)/);

    const other = await makeRoot({ cn: "Other Root", ...validFor(3650) });
    const n = await openCa({ "root-certificate": other.pem });
    await say(n, "rita", "/reject");
    expect(replies(n).at(-1)).toMatch(/\(reason-missing\)/);
    await say(n, "rita", "/reject not a CA we can vet");
    expect(s!.gh.issues.get(n)!.state).toBe("closed");
    await say(n, "tom", `/approve-ca ${named(other.pem)}`);
    expect(replies(n).at(-1)).toMatch(/\(rejected\)/);
    expect(await record(n)).toMatchObject({ stage: "rejected" });
    expect(s!.gh.opened).toEqual([]);
  });

  it("an edit after approval voids it until approved again; a forged record stops everything", async () => {
    await start();
    // A branch of the app's name holding mallory's pull request is never taken for the app's.
    const n = await openCa({ "root-certificate": root.pem });
    s!.gh.ledgerGit().branches.set(BRANCH(n), s!.gh.ledgerGit().branches.get("main")!);
    s!.gh.opened.push({ number: 6999, head: BRANCH(n), base: "main", title: "x", body: "", by: "mallory" });
    await say(n, "rita", `/approve-ca ${named(root.pem)}`);
    expect(await record(n)).toMatchObject({ stage: "approved", pull: null });
    expect(status(n)).toMatch(/holds no pull request the app opened/);
    // The requester edits the root after the approval: the approval was of the other version.
    const other = await makeRoot({ cn: "Swapped Root", ...validFor(3650) });
    await editCa(n, other.pem);
    expect(await record(n)).toMatchObject({ stage: "submitted", pull: null });
    expect(status(n)).toContain("waiting for a reviewer");

    // A record signed with a key the configuration does not publish: nothing is decided.
    const m = await openCa({ "root-certificate": root.pem });
    const forged = await loadRecordSigningKey(
      Buffer.from(
        (await import("node:crypto"))
          .generateKeyPairSync("ec", { namedCurve: "P-256" })
          .privateKey.export({ format: "pem", type: "pkcs8" }) as string,
      ).toString("utf8"),
    );
    const payload = new TextEncoder().encode(JSON.stringify({ ...(await record(m)), stage: "approved" }));
    const text = ledgerFileText(await signTypedPayload(payload, forged, "onerecord-ca-request+json"));
    s!.gh
      .ledgerGit()
      .commitFile(
        "onerecord-access/records",
        caRequestPath(m),
        text,
        "forged",
        personOf(s!.gh, { login: "mallory", type: "User" }, s!.gh.now()),
      );
    await say(m, "rita", `/approve-ca ${named(root.pem)}`);
    expect(status(m)).toMatch(
      /Nothing on this request is decided or recorded: its record .* does not verify \(unknown-key\)/,
    );
    expect(s!.gh.opened.filter((p) => p.by !== "mallory")).toEqual([]);
  });
});

describe("adding a certificate authority, tried as an attacker would", () => {
  it("a production-access request stays one: CA headings hidden in it, or a CA form pasted over it, take no command away", async () => {
    await start();
    const hidden = `${formBody()}\n<!--\n${caBody({ "root-certificate": root.pem })}\n-->\n`;
    const issue = s!.gh.openIssue(hidden, "jane");
    await s!.probot.receive(issueEvent(s!.gh, "opened", issue.number));
    const n = issue.number;
    expect(status(n)).toBe("");
    expect(s!.gh.statusComment(n)).toBeDefined();
    // jane replaces her whole form with a CA form: a reviewer's /hold is still the access request's.
    await editCa(n, root.pem);
    await say(n, "rita", "/hold the form was replaced");
    expect(s!.record(n).hold).toMatchObject({ by: "rita", reason: "the form was replaced" });
    await say(n, "rita", "/reject not a CA request");
    expect(s!.record(n).stage).toBe("rejected");
    expect(status(n)).toBe("");
    expect(s!.gh.ledgerGit().fileAt("onerecord-access/records", caRequestPath(n))).toBeUndefined();
  });

  it("an approval binds to the version in effect, written by someone else, and before no edit", async () => {
    await start();
    const n = await openCa({ "root-certificate": root.pem });
    // tom (a reviewer) swaps in his own root, then approves it: refused.
    const mine = await makeRoot({ cn: "Tom's Root", ...validFor(3650) });
    await editCa(n, mine.pem, "tom");
    await say(n, "tom", `/approve-ca ${named(mine.pem)}`);
    expect(replies(n).at(-1)).toMatch(/\(edited-by-approver\)/);
    // An approval written before the form's last edit, read only now, is of another version.
    const early = s!.gh.addComment(n, `/approve-ca ${named(root.pem)}`, "rita");
    s!.gh.editIssueBody(n, caBody({ "root-certificate": root.pem }), "jane");
    await s!.probot.receive(commentEvent(s!.gh, "created", early));
    expect(replies(n).at(-1)).toMatch(/\(form-changed\)/);
    expect(s!.gh.opened).toEqual([]);
    // Several lines in one comment: one reply.
    const count = replies(n).length;
    await say(n, "mallory", "/approve-ca 0011223344556677\n/reject no\n/approve-ca");
    expect(replies(n)).toHaveLength(count + 1);
    expect(
      replies(n)
        .at(-1)!
        .match(/\(not-reviewer\)/g),
    ).toHaveLength(3);
  });

  it("writes the root as re-encoded, flags a push to the app's branch, closes the pull request on rejection, and never calls an edited form's root added", async () => {
    await start();
    const pasted = `Here it is:\n${root.pem}\nbrand: Evil\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n`;
    const n = await openCa({ "root-certificate": pasted });
    await say(n, "rita", `/approve-ca ${named(root.pem)}`);
    const pull = s!.gh.opened[0]!;
    const proposed = s!.gh.ledgerGit().fileAt(BRANCH(n), ".github/onerecord-access.yml")!.content.toString("utf8");
    expect(proposed).not.toContain("MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA");
    expect(proposed).not.toContain("brand: Evil");
    expect(proposed).not.toContain("Here it is");

    // mallory pushes to the app's branch: the request says so.
    const pushed = "f".repeat(40);
    const event = pullRequestEvent(s!.gh, "synchronize", {
      number: pull.number,
      author: "onerecord-access[bot]",
      head: BRANCH(n),
    });
    (event.payload as { pull_request: { head: { sha: string } } }).pull_request.head.sha = pushed;
    await s!.probot.receive(event);
    expect((await record(n)).pull).toMatchObject({ foreignHead: pushed });
    expect(status(n)).toMatch(/Someone other than the app pushed to the pull request's branch/);

    // The requester edits the form to a root that is trusted already: not "added".
    const trusted = await makeRoot({ cn: "Trusted Root", ...validFor(3650) });
    s!.gh.setFile(
      ".github/onerecord-access.yml",
      extraCaConfig(trusted.pem, "Trusted", s!.gh.files.get("main:.github/onerecord-access.yml")!.toString("utf8")),
    );
    await editCa(n, trusted.pem);
    expect((await record(n)).stage).toBe("approved");
    expect(s!.gh.issues.get(n)!.state).toBe("open");

    // A rejection while the pull request is open closes it; a later merge does not undo the rejection.
    await say(n, "tom", "/reject the CA's audit lapsed");
    expect(pull.state).toBe("closed");
    expect(await record(n)).toMatchObject({ stage: "rejected", closedByApp: true });
    s!.gh.setFile(".github/onerecord-access.yml", proposed);
    await mergeAppPull(n, pull.number);
    expect((await record(n)).stage).toBe("rejected");
    expect(status(n)).toMatch(/Rejected, yet the root is in the configuration on the default branch/);
  });
});
