import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { missingCommand, titled } from "../helpers/environment.js";
import { compare, judgeBoth, type Outcome } from "../helpers/openssl-differential.js";
import { oneDefectSpecs } from "../helpers/random-chains.js";

/**
 * The judge against `openssl verify -x509_strict -purpose sslclient` (see
 * ../helpers/openssl-differential.ts) on the ordinary chain and one chain per defect the
 * generator knows: every value a random chain can draw, each judged on its own. The random corpus
 * (120 chains, rare defects together) runs in `npm run test:corpora`, which CI runs too.
 */
const noOpenssl = missingCommand("openssl", "apt-get install openssl; .ci/run does");
const SPECS = oneDefectSpecs();

let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(noOpenssl !== null)(
  titled("differential: the judge vs openssl verify -x509_strict -purpose sslclient", noOpenssl),
  () => {
    const outcomes: Outcome[] = [];

    it(`judges the ordinary chain and ${SPECS.length - 1} one-defect chains alike, except for documented deliberate policy`, async () => {
      dir = mkdtempSync(join(tmpdir(), "openssl-diff-"));
      for (const spec of SPECS) outcomes.push(await judgeBoth(spec, dir));
      const { lenient, unexplained } = compare(outcomes);
      expect(lenient).toEqual([]);
      expect(unexplained).toEqual([]);
    });

    it("covers both verdicts, so the comparison above can fail", () => {
      const { agreeValid, agreeInvalid } = compare(outcomes);
      expect(agreeValid).toBeGreaterThan(5);
      expect(agreeInvalid).toBeGreaterThan(10);
    });
  },
);
