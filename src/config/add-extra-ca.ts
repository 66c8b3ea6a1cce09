import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, Scalar } from "yaml";
import { isOneRecordError } from "../errors.js";
import { parseConfigText } from "./parse.js";

/**
 * The configuration with one more root in `certificates.extraCAs` (issue 20, "Adding a
 * certificate authority"): what the app's pull request proposes once a reviewer ran `/approve-ca`.
 * Edited through yaml's Document API, so the operator's comments, order and quoting stay as they
 * were; the new entry carries a comment naming the request, who approved it and why. The result
 * is parsed back with the configuration's own schema (which checks the fingerprint against the
 * PEM) before it is proposed. Pure.
 */

export interface ExtraCaEntry {
  brand: string;
  fingerprintSha256: string;
  pem: string;
  /** One line each: the request issue, the approval, the customer's reason (all made comment-safe here). */
  comment: string[];
}

export type ExtraCaEdit =
  | { ok: true; text: string }
  | { ok: false; code: "config-unreadable" | "already-listed" | "result-invalid"; reason: string };

export function addExtraCa(configText: string | null, entry: ExtraCaEntry): ExtraCaEdit {
  // No file (or an empty one): the defaults, so the new file holds just this entry.
  const doc: Document = configText?.trim() ? parseDocument(configText, { prettyErrors: false }) : new Document({});
  if (doc.errors.length > 0 || !isMap(doc.contents))
    return {
      ok: false,
      code: "config-unreadable",
      reason: "the configuration on the default branch is not a YAML mapping",
    };
  const certificates = doc.get("certificates", true);
  if (certificates !== undefined && !isMap(certificates))
    return { ok: false, code: "config-unreadable", reason: "`certificates` is not a mapping" };
  if (certificates === undefined) doc.set("certificates", new YAMLMap());
  const list = doc.getIn(["certificates", "extraCAs"], true);
  if (list !== undefined && !isSeq(list))
    return { ok: false, code: "config-unreadable", reason: "`certificates.extraCAs` is not a list" };
  const seq = list ?? new YAMLSeq();
  if (list === undefined) doc.setIn(["certificates", "extraCAs"], seq);
  const same = (f: unknown) =>
    typeof f === "string" &&
    f.replace(/:/g, "").toLowerCase() === entry.fingerprintSha256.replace(/:/g, "").toLowerCase();
  if (seq.items.some((item) => isMap(item) && same(item.get("fingerprintSha256"))))
    return { ok: false, code: "already-listed", reason: "the root is already in `certificates.extraCAs`" };
  const pem = new Scalar(`${entry.pem.trim()}\n`);
  pem.type = Scalar.BLOCK_LITERAL;
  const node = doc.createNode({
    brand: visibleText(entry.brand, 64),
    fingerprintSha256: entry.fingerprintSha256,
  }) as YAMLMap;
  node.set("pem", pem);
  node.commentBefore = entry.comment.map((line) => ` ${visibleText(line, 200)}`).join("\n");
  seq.items.push(node);
  const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  try {
    parseConfigText(text);
  } catch (error) {
    if (!isOneRecordError(error, "config-invalid")) throw error;
    return { ok: false, code: "result-invalid", reason: error.message };
  }
  return { ok: true, text };
}

/**
 * One line of what a person wrote, as a YAML comment or a brand: no line breaks or control
 * characters (a comment cannot end early), no direction controls (a reviewer reads what is there),
 * bounded.
 */
export function visibleText(line: string, max: number): string {
  const flat = line
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, "")
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
