// Bundles the two programs people run without installing this package: the Action
// (action/main.ts -> action/dist/index.js and its chunks, what the runner executes) and the CLI
// (src/cli/main.ts -> cli/dist/onerecord-access.js, one file a customer runs with nothing but Node).
// The Action is split: a dynamic import becomes a chunk in dist/chunks/, loaded only when that
// code runs, so a start-up compiles and runs only what its mode needs (V8 parses every byte it
// loads). The CLI is not: it is promised as one file to copy anywhere (docs/performance.md).
// The output must be byte-for-byte reproducible: check-dist rebuilds both and fails on any
// difference, so everything that could vary (absolute paths, timestamps, source maps) is kept out.
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const BUNDLES = [
  { entry: "action/main.ts", outfile: "action/dist/index.js" },
  // The CLI needs none of the app's packages (probot is never imported from src/cli).
  { entry: "src/cli/main.ts", outfile: "cli/dist/onerecord-access.js", shebang: true, split: false },
];

/**
 * Packages whose module code has no effect until something they export is called. @actions/core
 * imports its HTTP client (and with it undici, 400 KB) only for getIDToken, which the Action never
 * calls; declared free of side effects, they are left out unless a code path uses them (the
 * GitHub API client does, and keeps them). Their package.json files do not say so themselves.
 */
const SIDE_EFFECT_FREE = /^(?:undici|@actions\/http-client)$/;
const sideEffectFree = {
  name: "side-effect-free",
  setup(b) {
    b.onResolve({ filter: SIDE_EFFECT_FREE }, async (args) => {
      if (args.pluginData === "resolved") return undefined;
      const { path, errors } = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "resolved",
      });
      return errors.length > 0 ? { errors } : { path, sideEffects: false };
    });
  },
};

for (const { entry, outfile, shebang, split } of BUNDLES) await bundle(entry, outfile, shebang, split);

async function bundle(entry, outfile, shebang = false, split = true) {
  const outdir = join(root, dirname(outfile));
  const result = await build({
    absWorkingDir: root,
    entryPoints: { [basename(outfile, ".js")]: entry },
    outdir,
    // Chunk names carry a hash of their content, so the output stays reproducible.
    splitting: split,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    // The Action runs on node24; node20 keeps the bundle runnable by the tests on this machine too.
    target: "node20",
    // The ES module builds of packages that ship both (the @peculiar/asn1-* schemas among them):
    // their code can be tree-shaken and runs when first imported, where a CommonJS build is one
    // block that runs whole at start-up (issue 22: a fifth of the CLI's start-up was such blocks).
    mainFields: ["module", "main"],
    // Some dependencies are CommonJS and call require() for Node built-ins; an ESM bundle has no
    // require, so give it one (in every chunk: each is its own module).
    banner: {
      js: `import { createRequire as __onerecordCreateRequire } from "node:module";\nconst require = __onerecordCreateRequire(import.meta.url);`,
    },
    sourcemap: false,
    // Minified: V8 compiles the whole file on every cold start, and a smaller file starts faster.
    // Nobody reviews the bundle line by line; check-dist proves it is the build of the sources.
    minify: true,
    legalComments: "eof",
    // ASCII, non-ASCII characters escaped: V8 then holds the source as a one-byte string, which it
    // reads and scans faster than the two-byte one a single UTF-8 character forces (issue 22:
    // the CLI's one-certificate start-up, 147 → 144 ms median of 15 interleaved runs).
    charset: "ascii",
    logLevel: "warning",
    plugins: [sideEffectFree],
  });
  // A rebuild replaces the folder: a chunk the sources no longer produce must not linger.
  rmSync(outdir, { recursive: true, force: true });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const isEntry = file.path === join(root, outfile);
    writeFileSync(file.path, isEntry && shebang ? `#!/usr/bin/env node\n${file.text}` : file.contents);
  }
  console.log(`bundled ${entry} -> ${outfile} (+${result.outputFiles.length - 1} chunks)`);
}
