// Bundles the Action (action/main.ts) into the one committed file the runner executes,
// action/dist/index.js. The output must be byte-for-byte reproducible: check-dist rebuilds it and
// fails on any difference, so everything that could vary (absolute paths, timestamps, source
// maps) is kept out of it.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ["action/main.ts"],
  outfile: "action/dist/index.js",
  bundle: true,
  platform: "node",
  format: "esm",
  // The Action runs on node24; node20 keeps the bundle runnable by the tests on this machine too.
  target: "node20",
  // Some dependencies are CommonJS and call require() for Node built-ins; an ESM bundle has no
  // require, so give it one.
  banner: {
    js: 'import { createRequire as __onerecordCreateRequire } from "node:module";\nconst require = __onerecordCreateRequire(import.meta.url);',
  },
  sourcemap: false,
  // Minified: V8 compiles the whole file on every cold start, and a smaller file starts faster.
  // Nobody reviews the bundle line by line; check-dist proves it is the build of the sources.
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
});
console.log("bundled action/main.ts -> action/dist/index.js");
