import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{c as l,d as c,e as b}from"./chunk-OFMBG2DM.js";import{a as h}from"./chunk-6GCRWGK2.js";import{a as y}from"./chunk-MVKQVUZR.js";import{a as d,b as m,d as f}from"./chunk-2WSUI5ZK.js";import{c as g}from"./chunk-GNRYOO62.js";import"./chunk-LTNWD37A.js";import{parseArgs as A}from"node:util";var p="onerecord-access roots",$=`usage: ${p} [--json] [--brand NAME]

Lists the approved CA roots ("is my CA approved?"): per root its brand, name, key, purpose,
expiry and SHA-256, and whether your certificate file must carry it as its last block (the
client-authentication roots, which this tool pins by fingerprint but does not ship).

  --brand NAME   only the roots that issue this brand's certificates today (VeriSign, DigiCert,
                 GeoTrust, GlobalSign, Comodo, GoDaddy, Symantec; Sectigo, Starfield, thawte
                 and RapidSSL are accepted as their current names)
  --json         machine-readable output

exit codes: 0 listed, 1 the brand is not approved, 2 usage
`,S={sectigo:"Comodo",usertrust:"Comodo",starfield:"GoDaddy","go daddy":"GoDaddy",thawte:"GeoTrust",rapidssl:"GeoTrust"};function M(r,e){return Promise.resolve(w(r,e))}function w(r,e){try{let{values:n}=y(r,t=>A({...t,allowPositionals:!1,options:{json:{type:"boolean",default:!1},brand:{type:"string"},help:{type:"boolean",short:"h"}}}));if(n.help)return e.stdout($),d;let s=C(n.brand);return s?(e.stdout(n.json?E(s):L(s)),d):(e.stderr(`${p}: ${v(n.brand??"")}
`),m)}catch(n){return f(p,$,n,e)}}function C(r){let e=l();if(r===void 0)return{brand:null,note:null,roots:[...new Map(e.flatMap(o=>o.roots).map(o=>[o.fingerprintSha256,o])).values()].sort((o,i)=>o.brand.localeCompare(i.brand)||o.name.localeCompare(i.name))};let n=r.trim().toLowerCase(),s=S[n]??e.find(a=>a.brand.toLowerCase()===n)?.brand,t=e.find(a=>a.brand===s);return t&&{brand:t.brand,note:t.note,roots:t.roots}}function v(r){let n=/^[\p{L}\p{N} .,'&()-]{1,40}$/u.test(r)&&g(r)?`"${h(r)}"`:"that brand (not shown)",s=l().map(t=>t.brand).join(", ");return`${n} is not an approved brand (approved: ${s}). A CA that is not listed is added by OneRecord support through certificates.extraCAs (docs/allowlist.md).`}function E(r){let e={brand:r.brand,sources:c(),roots:r.roots};return`${JSON.stringify(e,null,2)}
`}function L(r){let e=r.brand?`${r.brand}: ${r.note}

`:"",n=r.roots.map(t=>{let a=[["brand",b({brand:t.brand,rootPurpose:t.purpose})],["serves",t.brands.join(", ")],["key",t.key],["expires",t.notAfter.slice(0,10)],["sha-256",t.fingerprintSha256],["programs",`${t.programs.join(", ")} (${t.trustBits})`],["in the file",t.carried?"required: put this root at the end of the certificate file (your CA publishes it)":"not needed"]];t.clientAuthEnds&&a.push(["renewal",`client-authentication certificates under this root end ${t.clientAuthEnds.date}`]);let u=Math.max(...a.map(([o])=>o.length));return`${t.name}
${a.map(([o,i])=>`  ${o.padEnd(u)}  ${i}`).join(`
`)}
`}),s=`${r.roots.length} root(s); facts: ${c().ccadb}
`;return`${e}${n.join(`
`)}
${s}`}export{M as run};
