import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{Ra as a,Sa as b}from"./chunk-ETE7QKFF.js";import"./chunk-GIPTWPMN.js";export{a as TrustStore,b as trustAnchorFromPem};
