import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{b as u,c as f,d as h,e as l}from"./chunk-QRDNOE56.js";import"./chunk-GZCU74GM.js";import"./chunk-6GCRWGK2.js";import"./chunk-ZHZXRVIP.js";import"./chunk-YCH7S7T2.js";import{a as k}from"./chunk-MVKQVUZR.js";import{a as n,d as s}from"./chunk-2WSUI5ZK.js";import{a as d,b as c,d as p,e as y}from"./chunk-GNRYOO62.js";import{g as o}from"./chunk-LTNWD37A.js";import{parseArgs as C}from"node:util";var g="onerecord-access decrypt-token",m=`usage: ${g} --key DEVICE.key JWE

Decrypts the token OneRecord delivered for a device with that device's private key (PEM:
PKCS#8, PKCS#1 or SEC1) and prints the device JWT on standard output. JWE is the token itself,
a file holding it, or - for standard input.

exit codes: 0 decrypted, 1 not decryptable with this key (or an unreadable JWE), 2 usage or a
--key file that cannot be read or holds no private key
`;async function W(r,t){try{let{values:e,positionals:i}=D(r);if(e.help)return t.stdout(m),n;if(!e.key)throw new o("usage","--key DEVICE.key is required");if(i.length!==1)throw new o("usage","give exactly one JWE (the token, a file, or - for standard input)");let w=S((await c(e.key,"--key")).toString("utf8"),e.key),E=await d(i[0],{what:"JWE",looksLikeToken:a=>f(a)||u(a),readStdin:t.readStdin??(()=>y())}),v=await l(E,w);return t.stdout(`${v}
`),n}catch(e){return s(g,m,e,t)}}function S(r,t){try{return h(r)}catch(e){throw e instanceof o?new o("usage",`${p("--key",t)}: ${e.message}`):e}}function D(r){return k(r,t=>C({...t,options:{key:{type:"string"},help:{type:"boolean",short:"h"}}}))}export{W as run};
