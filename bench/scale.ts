import { stringify } from "yaml";
import type { Scenario } from "../test/app/helpers/scenario.js";
import { makeTestCa, mergePr, startScenario } from "../test/app/helpers/test-ca.js";
import { makeTokenKey, tokenRun } from "../test/app/helpers/token-run.js";

/**
 * What each event of a request costs as it grows (issue 22, part 1): API requests, rate-limited
 * requests and bytes downloaded per event, for a request of 1, 100 and 500 devices taken through
 * the app on the stand-in (intake, approval, the merge of its certificate pull request, the token
 * run's issuance comment and completion, a `/status` once live). Counted at the HTTP layer:
 * counts and bytes, never timings. The targets are issue 22's; this section is its baseline.
 */
const SIZES = [1, 100, 500];

interface Cost {
  requests: number;
  rateLimited: number;
  bytes: number;
}

export async function benchScale(): Promise<string[]> {
  const rows: string[] = [];
  for (const count of SIZES) {
    const devices = Array.from({ length: count }, (_, i) => `gw-${String(i).padStart(3, "0")}`);
    const ca = await makeTestCa(devices);
    const key = await makeTokenKey();
    const s = await startScenario(ca, stringify({ tokens: { jwks: key.jwks } }));
    try {
      let n = 0;
      const intake = await cost(s, async () => {
        n = await s.open({ devices });
      });
      await s.tickAll(n);
      const approval = await cost(s, () => s.say(n, "tom", "/approve-certification").then(() => undefined));
      const files = Object.fromEntries(devices.map((d) => [`certificates/${n}/${d}.pem`, ca.leaves.get(d)!]));
      const merge = await cost(s, () => mergePr(s, 50, files));
      const tokens = await cost(s, () => tokenRun(s, n, key, 900, devices).then(() => undefined));
      if (s.record(n).stage !== "live") throw new Error(`bench: the ${count}-device request is not live`);
      const status = await cost(s, () => s.say(n, "rita", "/status").then(() => undefined));
      rows.push(
        line(count, "intake", intake),
        line(count, "/approve-certification", approval),
        line(count, `merge of the ${count}-certificate pull request`, merge),
        line(count, "token run: issuance comment and run completed", tokens),
        line(count, "/status once live", status),
      );
    } finally {
      s.stop();
    }
  }
  return [
    "",
    "### Per event, by the request's size (the app's side; the token workflow's own requests are not here)",
    "",
    "| devices | event | requests | rate-limited | downloaded |",
    "| ---: | --- | ---: | ---: | ---: |",
    ...rows,
    "",
    "Targets (issue 22): merge re-validation ≤ 10 + ⌈N/100⌉ requests; a `/status` on a live 500-device request ≤ 200 KiB; any event independent of the number of earlier comments and ledger versions.",
  ];
}

async function cost(s: Scenario, run: () => Promise<void>): Promise<Cost> {
  const mark = s.mark();
  await run();
  const calls = s.gh.apiCallsSince(mark);
  return {
    requests: calls.length,
    rateLimited: calls.filter((r) => r.status !== 304).length,
    bytes: calls.reduce((sum, r) => sum + (r.bytes ?? 0), 0),
  };
}

function line(devices: number, event: string, c: Cost): string {
  const size =
    c.bytes >= 1024 * 1024 ? `${(c.bytes / 1024 / 1024).toFixed(1)} MiB` : `${(c.bytes / 1024).toFixed(0)} KiB`;
  return `| ${devices} | ${event} | ${c.requests} | ${c.rateLimited} | ${size} |`;
}
