import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{b as a}from"./chunk-XN53ZLA6.js";import"./chunk-TRZF4YGX.js";import"./chunk-OFMBG2DM.js";import"./chunk-GZCU74GM.js";import"./chunk-6GCRWGK2.js";import"./chunk-C437S3JF.js";import"./chunk-YCH7S7T2.js";import"./chunk-GNRYOO62.js";import"./chunk-LTNWD37A.js";export{a as parseConfigOption};
