import { afterEach, describe, expect, it } from "vitest";
import type { LoggedRequest } from "./helpers/fake-github.js";
import { Scenario } from "./helpers/scenario.js";

/**
 * What an event costs as the thread grows (issue 22, part 1: "any event: requests and bytes
 * independent of the number of earlier comments"). The app lists only the comments changed since
 * its record (`commentsRead`, src/app/comments-read.ts) and reads by id the status comment the
 * record names: counted on the stand-in (requests and bytes, never timings). Before, every event
 * listed the whole thread, 100 comments a request.
 */

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

/** A request in certification with `earlier` chat comments of 1 KB (recorded by a `/status`), then the cost of one more `/status`. */
async function statusCost(earlier: number): Promise<{ calls: string[]; bytes: number; replies: number }> {
  s = await Scenario.start();
  const n = await s.open();
  await s.tickAll(n);
  for (let i = 0; i < earlier; i++) s.gh.addComment(n, `chat ${i}: ${"x".repeat(1000)}`, "jane");
  s.gh.tick(10);
  await s.say(n, "rita", "/status");
  s.gh.tick(10);
  const mark = s.mark();
  await s.say(n, "rita", "/status");
  const logged: LoggedRequest[] = s.gh.apiCallsSince(mark);
  const result = {
    calls: logged.map((r) => `${r.method} ${r.operationId ?? r.path} ${r.status ?? "?"}`),
    bytes: logged.reduce((sum, r) => sum + (r.bytes ?? 0), 0),
    replies: s.replies(n).length,
  };
  s.stop();
  s = undefined;
  return result;
}

describe("an event's cost does not grow with the comments before it", () => {
  it("a /status after 150 earlier comments makes the same requests and downloads the same bytes as after none", async () => {
    const none = await statusCost(0);
    const many = await statusCost(150);
    expect(many.calls).toEqual(none.calls);
    // One page of the comments changed since the record (the /status before, this one), and the
    // status comment by id: it did not change since, so the listing does not hold it.
    expect(many.calls.filter((c) => c.startsWith("GET issues/list-comments"))).toEqual([
      "GET issues/list-comments 200",
    ]);
    expect(many.calls).toContain("GET issues/get-comment 200");
    // The same bytes but for a few digits (ids, times in the record's answer); 150 KB before.
    expect(Math.abs(many.bytes - none.bytes)).toBeLessThan(64);
  }, 20_000);

  it("the status comment the record names is read by id: edited, it is written again; deleted, it is made again", async () => {
    s = await Scenario.start();
    const n = await s.open();
    await s.tickAll(n);
    await s.say(n, "rita", "/status");
    const view = s.gh.statusComment(n)!;
    // Anyone with write access can edit it: the next event puts the record's view back.
    s.gh.editComment(view.id, "<!-- onerecord-access:status -->\nApproved, all done.");
    s.gh.tick(10);
    await s.say(n, "jane", "hello");
    expect(s.gh.statusComment(n)!.body).toBe(view.body);
    // Deleted, it is made again, once.
    s.gh.comments.delete(view.id);
    s.gh.tick(10);
    await s.say(n, "rita", "/status");
    expect(statusViews(n)).toHaveLength(1);
    expect(s.gh.statusComment(n)!.id).not.toBe(view.id);
    s.gh.tick(10);
    const mark = s.mark();
    await s.say(n, "rita", "/status");
    expect(statusViews(n)).toHaveLength(1);
    expect(s.writesSince(mark)).not.toContain("POST issues/create-comment");
    // Unchanged since, it is read by id, and the next time as a conditional request: a 304, free
    // of rate limit and bytes.
    s.gh.tick(10);
    await s.say(n, "rita", "/status");
    s.gh.tick(10);
    const again = s.mark();
    await s.say(n, "rita", "/status");
    expect(s.answersSince(again)).toContain("GET issues/get-comment 304");
  });
});

function statusViews(n: number) {
  return s!.gh.botComments(n).filter((c) => c.body.startsWith("<!-- onerecord-access:status -->"));
}
