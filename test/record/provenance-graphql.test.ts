import { describe, expect, it } from "vitest";
import { madeBy, provenanceFromGraphQL, type GraphQLCommit } from "../../src/record/provenance.js";

/**
 * A ledger commit's provenance as GraphQL gives it (src/record/provenance.ts): GraphQL links no
 * account to a bot, so the bot is recognised by its no-reply address, id included; a signature
 * counts only when GitHub calls it valid.
 */
const bot = { login: "onerecord-access[bot]", id: 4711 };
const commit = (author: string, committer: string, signature: GraphQLCommit["signature"]): GraphQLCommit => ({
  oid: "c1",
  author: { email: author },
  committer: { email: committer },
  signature,
});
const own = "4711+onerecord-access[bot]@users.noreply.github.com";
const valid = { isValid: true, state: "VALID" };

describe("provenanceFromGraphQL", () => {
  it("takes the bot's no-reply address (with its id, or the older form) for the bot", () => {
    expect(madeBy(provenanceFromGraphQL(commit(own, own, valid), bot), bot.login)).toBe(true);
    const older = "onerecord-access[bot]@users.noreply.github.com";
    expect(madeBy(provenanceFromGraphQL(commit(older, older.toUpperCase(), valid), bot), bot.login)).toBe(true);
  });

  it("refuses another account's id with the bot's name: GitHub ties a no-reply address to the id", () => {
    const forged = "999+onerecord-access[bot]@users.noreply.github.com";
    expect(provenanceFromGraphQL(commit(forged, forged, valid), bot)).toMatchObject({ author: null, committer: null });
    expect(madeBy(provenanceFromGraphQL(commit(own, forged, valid), bot), bot.login)).toBe(false);
  });

  it("refuses an unsigned commit or a signature GitHub did not find valid", () => {
    expect(madeBy(provenanceFromGraphQL(commit(own, own, null), bot), bot.login)).toBe(false);
    const unknownKey = { isValid: true, state: "UNKNOWN_KEY" };
    expect(madeBy(provenanceFromGraphQL(commit(own, own, unknownKey), bot), bot.login)).toBe(false);
    expect(madeBy(provenanceFromGraphQL(commit(own, own, { isValid: false, state: "VALID" }), bot), bot.login)).toBe(
      false,
    );
  });

  it("recognises nobody else, and a missing address as nobody", () => {
    const p = provenanceFromGraphQL({ oid: "c2", author: null, committer: { email: null }, signature: valid }, bot);
    expect(p).toEqual({ sha: "c2", author: null, committer: null, verified: true });
    expect(provenanceFromGraphQL(commit("7+mallory@users.noreply.github.com", own, valid), bot).author).toBeNull();
  });
});
