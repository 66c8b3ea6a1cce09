import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Made once per run for every file: the OpenAPI subset the fake GitHub checks against and
    // the GitHub App's key (see the file).
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The bundle and CLI tests spawn processes; two workers keep a 2-core CI machine responsive.
    maxWorkers: 2,
  },
});
