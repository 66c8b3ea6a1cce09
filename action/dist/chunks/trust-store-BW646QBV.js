import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{Va as a,Wa as b}from"./chunk-UZXV4WHW.js";import"./chunk-GIPTWPMN.js";export{a as TrustStore,b as trustAnchorFromPem};
