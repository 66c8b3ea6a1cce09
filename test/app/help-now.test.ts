import { afterEach, describe, expect, it } from "vitest";
import { CONFIG, Scenario } from "./helpers/scenario.js";

/**
 * `/help` answers for the person who asked and the request as it stands now: the commands that
 * would run if they posted them, each configured checklist item by name, and a short line for
 * what works only later.
 */

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

/** The table rows of a `/help` answer: the command cell of each. */
function commandsIn(help: string): string[] {
  return help
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) => /^\| (`[^`]+`)/.exec(l)![1]!);
}

async function helpFor(s: Scenario, n: number, who: string): Promise<string> {
  await s.say(n, who, "/help");
  return s.replies(n).at(-1)!;
}

describe("/help lists what this user may run now", () => {
  it("a reviewer at certification gets one /check per open item by name, /uncheck for ticked ones, no approval yet", async () => {
    s = await Scenario.start();
    const n = await s.open();
    await s.say(n, "rita", "/check legal-agreements");
    const help = await helpFor(s, n, "tom");
    expect(help).toMatch(/^@tom you are a reviewer here\. The request is at stage \*\*Certification\*\*/);
    expect(commandsIn(help)).toEqual([
      "`/check stage-testing [note]`",
      "`/check account-review [note]`",
      "`/check network-review [note]`",
      "`/uncheck legal-agreements [reason]`",
      "`/hold REASON`",
      "`/reject REASON`",
      "`/status`",
      "`/help`",
    ]);
    expect(help).toContain("Account structure reviewed");
    // What works only later is named once, with when, and never in the table.
    expect(help).toContain("Not now:\n\n- `/approve-certification [note]`: once every checklist item is ticked\n");
    expect(help).not.toContain("`/reissue-tokens DEVICE|all REASON` |");
  });

  it("offers /approve-certification once every item is ticked, and /unhold only while on hold", async () => {
    s = await Scenario.start();
    const n = await s.open();
    await s.tickAll(n);
    expect(commandsIn(await helpFor(s, n, "tom"))).toContain("`/approve-certification [note]`");
    await s.say(n, "rita", "/hold waiting for the signed contract");
    const held = commandsIn(await helpFor(s, n, "tom"));
    expect(held).toContain("`/unhold`");
    expect(held).not.toContain("`/approve-certification [note]`");
    expect(held).not.toContain("`/hold REASON`");
  });

  it("uses the configured checklist items only", async () => {
    s = await Scenario.start(`${CONFIG}\nchecklist: [legal-agreements, network-review]\n`);
    const n = await s.open();
    const rows = commandsIn(await helpFor(s, n, "tom"));
    expect(rows.filter((c) => c.startsWith("`/check"))).toEqual([
      "`/check legal-agreements [note]`",
      "`/check network-review [note]`",
    ]);
  });

  it("the requester and an outsider see only what they may run; after approval a reviewer sees revoke, not check", async () => {
    s = await Scenario.start();
    const n = await s.open();
    const requester = await helpFor(s, n, "jane");
    expect(commandsIn(requester)).toEqual(["`/status`", "`/help`"]);
    expect(requester).toMatch(/you are the requester/);
    expect(commandsIn(await helpFor(s, n, "mallory"))).toEqual(["`/status`", "`/help`"]);
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    const after = commandsIn(await helpFor(s, n, "tom"));
    expect(after).toContain("`/revoke-certification REASON`");
    expect(after.some((c) => c.startsWith("`/check"))).toBe(false);
  });

  it("on a rejected request lists only /status and /help, for reviewers too", async () => {
    s = await Scenario.start();
    const n = await s.open();
    await s.say(n, "rita", "/reject not a customer");
    const help = await helpFor(s, n, "tom");
    expect(commandsIn(help)).toEqual(["`/status`", "`/help`"]);
    expect(help).toMatch(/stage \*\*Rejected\*\*/);
  });

  /** A request in a given state, fresh for each command tried. */
  const states: Record<string, (s: Scenario, n: number) => Promise<void>> = {
    "certification, one item ticked": async (s, n) => {
      await s.say(n, "rita", "/check legal-agreements");
    },
    "every item ticked, on hold": async (s, n) => {
      await s.tickAll(n);
      await s.say(n, "rita", "/hold waiting for the contract");
    },
  };

  for (const [name, setUp] of Object.entries(states)) {
    it(`every command it lists runs when posted as listed (${name})`, async () => {
      s = await Scenario.start();
      const first = await s.open();
      await setUp(s, first);
      const listed = commandsIn(await helpFor(s, first, "tom")).map((c) => c.slice(1, -1));
      s.stop();
      expect(listed.length).toBeGreaterThan(2);
      for (const usage of listed) {
        s = await Scenario.start();
        const n = await s.open();
        await setUp(s, n);
        const line = usage.replace(/ \[(note|reason)\]$/, "").replace(/REASON$/, "for the audit");
        const before = s.replies(n).length;
        const comment = await s.say(n, "tom", line);
        const refusals = s
          .replies(n)
          .slice(before)
          .filter((r) => r.includes("was not run"));
        expect(refusals, `${line} was refused`).toEqual([]);
        if (!/^\/(help|status)$/.test(line))
          expect(s.gh.reactions.get(comment.id), `${line} was not acknowledged`).toBeDefined();
        s.stop();
      }
      s = undefined;
    });
  }
});
