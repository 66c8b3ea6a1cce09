import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{a,b,c,d,e,f,g}from"./chunk-R2BDTQ26.js";import"./chunk-G5JTUEBL.js";import"./chunk-GIPTWPMN.js";export{e as createIssueComment,a as createOctokit,d as getIssue,f as httpStatus,b as listPullRequestFiles,c as readRepositoryFile,g as statusOf};
