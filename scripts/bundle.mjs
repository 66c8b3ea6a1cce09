// Bundles the two programs people run without installing this package, each into one committed
// file: the Action (action/main.ts -> action/dist/index.js, what the runner executes) and the CLI
// (src/cli/main.ts -> cli/dist/onerecord-access.js, what a customer runs with nothing but Node).
// The output must be byte-for-byte reproducible: check-dist rebuilds both and fails on any
// difference, so everything that could vary (absolute paths, timestamps, source maps) is kept out.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const BUNDLES = [
  { entry: "action/main.ts", outfile: "action/dist/index.js" },
  // The CLI needs none of the app's packages (probot is never imported from src/cli).
  { entry: "src/cli/main.ts", outfile: "cli/dist/onerecord-access.js", shebang: true },
];

for (const { entry, outfile, shebang } of BUNDLES) await bundle(entry, outfile, shebang);

async function bundle(entry, outfile, shebang) {
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    // The Action runs on node24; node20 keeps the bundle runnable by the tests on this machine too.
    target: "node20",
    // Some dependencies are CommonJS and call require() for Node built-ins; an ESM bundle has no
    // require, so give it one.
    banner: {
      js: `${shebang ? "#!/usr/bin/env node\n" : ""}import { createRequire as __onerecordCreateRequire } from "node:module";\nconst require = __onerecordCreateRequire(import.meta.url);`,
    },
    sourcemap: false,
    // Minified: V8 compiles the whole file on every cold start, and a smaller file starts faster.
    // Nobody reviews the bundle line by line; check-dist proves it is the build of the sources.
    minify: true,
    legalComments: "eof",
    charset: "utf8",
    logLevel: "warning",
  });
  console.log(`bundled ${entry} -> ${outfile}`);
}
