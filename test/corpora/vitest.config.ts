import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:corpora` (CI runs it after `npm test`): the long corpora whose small
 * representative samples run in `npm test`: the random OpenSSL differential corpus, the
 * 500-device status comment and 300 runs of the status comment's escaping property. Each is
 * seconds of work on an idle machine; the limit below is a hang guard far above that, not a
 * timing.
 */
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/corpora/**/*.corpus.ts"],
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    maxWorkers: 2,
  },
});
