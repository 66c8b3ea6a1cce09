import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{a as d,b as y}from"./chunk-C437S3JF.js";import{g as m}from"./chunk-ZHZXRVIP.js";import"./chunk-YCH7S7T2.js";import{a as g}from"./chunk-MVKQVUZR.js";import{a as i,d as a}from"./chunk-2WSUI5ZK.js";import{b as c}from"./chunk-GNRYOO62.js";import{g as o}from"./chunk-LTNWD37A.js";import{parseArgs as h}from"node:util";var p="RECORD_SIGNING_KEY";async function l(n){let e;try{e=await m(n)}catch(r){let t=r instanceof o?r.message:"the record signing key secret could not be read";throw new o("input-invalid",`RECORD_SIGNING_KEY: ${t}`,{field:p})}if(!y(e.alg))throw new o("input-invalid",`RECORD_SIGNING_KEY: a ${e.alg} key cannot sign records; use an EC P-256 (ES256) or Ed25519 (EdDSA) key (${d.join(", ")})`,{field:p});return e}var f="onerecord-access record-jwks",E=`usage: ${f} [--key FILE]

Prints the public JWKS of the app's record signing key, for records.jwks in
.github/onerecord-access.yml. The key is read from the file given with --key, or else from the
RECORD_SIGNING_KEY environment variable (a PEM or a private JWK; ES256 or EdDSA). Only public
members are printed, never the key.

exit codes: 0 printed, 1 the key is refused or unreadable, 2 usage
`;async function C(n,e){try{let{values:r,positionals:t}=g(n,R=>h({...R,options:{key:{type:"string"},help:{type:"boolean",short:"h"}}}));if(r.help)return e.stdout(E),i;if(t.length>0)throw new o("usage","no arguments (pass the key with --key FILE)");let s=r.key?(await c(r.key,"--key")).toString("utf8"):(e.env??process.env).RECORD_SIGNING_KEY;if(!s)throw new o("usage","give --key FILE or set RECORD_SIGNING_KEY");let u=await l(s);return e.stdout(`${JSON.stringify(u.jwks,null,2)}
`),i}catch(r){return a(f,E,r,e)}}export{C as run};
