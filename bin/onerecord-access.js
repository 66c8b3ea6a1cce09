#!/usr/bin/env node
// The CLI is one committed, bundled file (cli/dist/onerecord-access.js, built by `npm run bundle`
// and fresh-checked by `npm run check-dist`): it needs nothing but Node, not even `npm install`.
// Without it this says so in one line, rather than Node's ERR_MODULE_NOT_FOUND and a stack trace.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = new URL("../cli/dist/onerecord-access.js", import.meta.url);
if (existsSync(fileURLToPath(bundle))) {
  await import(bundle.href);
} else {
  process.stderr.write(
    "onerecord-access: the CLI bundle cli/dist/onerecord-access.js is missing: run `npm install && npm run bundle` in this clone\n",
  );
  process.exitCode = 2;
}
