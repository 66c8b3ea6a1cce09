import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
var c=/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/;function h(n){let e=c.exec(n);if(!e)return;let u=f=>Number(e[f]??0),[m,r,t,i,o,a,s,b]=[1,2,3,4,5,6,8,9].map(u);if(r<1||r>12||t<1||t>p(m,r)||i>23||o>59||a>59||s>23||b>59)return;let d=Date.parse(n);return Number.isNaN(d)?void 0:new Date(d)}function p(n,e){return[31,n%4===0&&n%100!==0||n%400===0?29:28,31,30,31,30,31,31,30,31,30,31][e-1]}export{h as a};
