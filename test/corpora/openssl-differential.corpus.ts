import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { missingCommand, titled } from "../helpers/environment.js";
import { compare, judgeBoth, type Outcome } from "../helpers/openssl-differential.js";
import { random, randomSpec } from "../helpers/random-chains.js";

/**
 * The random corpus of the OpenSSL differential (../helpers/openssl-differential.ts): mostly
 * ordinary chains with each kind of defect in a minority of them, several defects together in
 * some. `npm test` runs the one-defect sample (test/certificates/openssl-differential.test.ts).
 */
const CHAINS = 120;
const SEED = 0x5280;
const noOpenssl = missingCommand("openssl", "apt-get install openssl; .ci/run does");

let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(noOpenssl !== null)(
  titled("differential corpus: the judge vs openssl verify -x509_strict -purpose sslclient", noOpenssl),
  () => {
    const outcomes: Outcome[] = [];

    it(`judges ${CHAINS} random chains alike, except for documented deliberate policy`, async () => {
      dir = mkdtempSync(join(tmpdir(), "openssl-corpus-"));
      const next = random(SEED);
      for (let id = 0; id < CHAINS; id++) outcomes.push(await judgeBoth(randomSpec(id, next), dir));
      const { lenient, unexplained } = compare(outcomes);
      expect(lenient).toEqual([]);
      expect(unexplained).toEqual([]);
    });

    it("covers both verdicts, so the comparison above can fail", () => {
      const { agreeValid, agreeInvalid } = compare(outcomes);
      expect(agreeValid).toBeGreaterThan(10);
      expect(agreeInvalid).toBeGreaterThan(10);
    });
  },
);
