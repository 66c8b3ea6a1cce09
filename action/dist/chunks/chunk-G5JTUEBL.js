import { createRequire as __onerecordCreateRequire } from "node:module";
const require = __onerecordCreateRequire(import.meta.url);
var o=class extends Error{code;field;constructor(e,d,n={}){super(d,n.cause===void 0?void 0:{cause:n.cause}),this.name="OneRecordError",this.code=e,this.field=n.field}};function i(r,e){return r instanceof o&&(e===void 0||r.code===e)}export{o as a,i as b};
