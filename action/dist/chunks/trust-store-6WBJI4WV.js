import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{Ua as a,Va as b}from"./chunk-NRPTBWUI.js";import"./chunk-GIPTWPMN.js";export{a as TrustStore,b as trustAnchorFromPem};
