import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{g as m}from"./chunk-ZHZXRVIP.js";import{a as l}from"./chunk-YCH7S7T2.js";import{a as p}from"./chunk-MVKQVUZR.js";import{a as s,d as u}from"./chunk-2WSUI5ZK.js";import{b as g,d as y}from"./chunk-GNRYOO62.js";import{g as r}from"./chunk-LTNWD37A.js";import{parseArgs as d}from"node:util";var f="onerecord-access jwks",h=`usage: ${f} --key SIGNING.key [--key NEXT.key]...

Prints the public JWKS (RFC 7517) of the token signing key — what \`tokens.jwks\` in
.github/onerecord-access.yml holds — so the configuration can be set before the first token run.
SIGNING.key is the key as stored in the environment secret: PEM (PKCS#8; PKCS#1 and SEC1 are read
too) or a private JWK. Give --key again to publish several keys during a rotation. Only public
members are printed (kty, crv, x, y, n, e, with kid, alg and use): never a private one.

exit codes: 0 printed, 2 usage or a key file that cannot be read or is not a signing key
`;async function C(n,t){try{let{values:e,positionals:o}=p(n,i=>d({...i,options:{key:{type:"string",multiple:!0},help:{type:"boolean",short:"h"}}}));if(e.help)return t.stdout(h),s;let a=e.key??[];if(a.length===0)throw new r("usage","--key SIGNING.key is required");if(o.length>0)throw new r("usage","unexpected argument: give the key with --key FILE");let c=new Map;for(let i of a){let k=await b(i);c.set(k.kid,k)}let w=l({keys:[...c.values()]});return t.stdout(`${JSON.stringify(w,null,2)}
`),s}catch(e){return u(f,h,e,t)}}async function b(n){let t=(await g(n,"--key")).toString("utf8");try{return(await m(t)).publicJwk}catch(e){let o=e instanceof r?e.message:"not a signing key";throw new r("usage",`${y("--key",n)}: ${o}`)}}export{C as run};
