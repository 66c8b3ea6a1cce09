import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{eb as a,fb as b}from"./chunk-6U4P6N23.js";import"./chunk-GIPTWPMN.js";export{a as TrustStore,b as trustAnchorFromPem};
