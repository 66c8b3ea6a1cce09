import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{fb as a,gb as b}from"./chunk-NWRJSDHW.js";import"./chunk-GIPTWPMN.js";export{a as TrustStore,b as trustAnchorFromPem};
