import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
function o(r){let t=r.filter(n=>n.verdict==="valid").length;return{files:r,summary:{valid:t,invalid:r.length-t}}}function e(r,t,n,i){return{path:r,verdict:n.length===0?"valid":"invalid",certificate:t,errors:n,warnings:i}}function a(r){return r.brand===null?"(no approved CA)":r.rootPurpose?`${r.brand} \u2014 ${r.rootPurpose}`:r.brand}export{o as a,e as b,a as c};
