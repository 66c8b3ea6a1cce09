import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../../action/run.js";

/** run(): the one try/catch that turns any error into a failed step with a message and no stack. */
describe("run", () => {
  let dir: string;
  let stdout: string;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "action-run-"));
    stdout = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
    process.env = { PATH: saved.PATH, GITHUB_WORKSPACE: dir, "INPUT_GITHUB-TOKEN": "" };
  });

  afterEach(() => {
    vi.restoreAllMocks();
    process.env = saved;
    process.exitCode = 0;
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails with the message of an expected error", async () => {
    writeFileSync(join(dir, "event.json"), "{ not json");
    process.env.GITHUB_EVENT_PATH = join(dir, "event.json");
    await run();
    expect(process.exitCode).toBe(1);
    expect(stdout).toBe("::error::GITHUB_EVENT_PATH does not hold a JSON event payload\n");
  });

  it("fails with the message, not the stack, of an unexpected error", async () => {
    // RUNNER_TEMP is a file, so writing the report fails inside Node's fs.
    writeFileSync(join(dir, "temp"), "");
    process.env.RUNNER_TEMP = join(dir, "temp");
    await run();
    expect(process.exitCode).toBe(1);
    const failure = stdout.split("\n").find((line) => line.startsWith("::error::"));
    expect(failure).toMatch(/^::error::Unexpected error: ENOTDIR/);
    expect(stdout).not.toMatch(/\n\s+at /);
  });
});
