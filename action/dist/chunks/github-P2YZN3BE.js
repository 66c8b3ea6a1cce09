import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-FBM4XCAD.js";import"./chunk-G5JTUEBL.js";import"./chunk-GIPTWPMN.js";export{f as createIssueComment,a as createOctokit,d as getIssue,e as listIssueComments,b as listPullRequestFiles,c as readRepositoryFile};
