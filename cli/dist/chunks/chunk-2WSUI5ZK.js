import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{g as r}from"./chunk-LTNWD37A.js";var E=0,s=1,c=2;function p(t,o,e,n){if(e instanceof r){let i=m(e.message)?"the error message is withheld: it appears to quote key or token material":e.message;return n.stderr(`${t}: ${i}
${e.code==="usage"?`
${o}`:""}`),d(e)}return n.stderr(`${t}: unexpected error: ${e instanceof Error?e.name:"unknown"}
`),s}var a=new Set(["usage","io-error","config-invalid","config-not-found"]);function d(t){return a.has(t.code)?c:s}var u=[/-----BEGIN /,/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\./,/"d"\s*:/];function m(t){return u.some(o=>o.test(t))}export{E as a,s as b,c,p as d,d as e};
