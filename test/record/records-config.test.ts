import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { configJsonSchema } from "../../scripts/generate-config-schema.js";
import { parseConfigObject, parseConfigText } from "../../src/config/parse.js";
import { isOneRecordError } from "../../src/errors.js";
import { loadRecordSigningKey } from "../../src/record/record-signing-key.js";
import { loadSigningKey } from "../../src/tokens/signing-key.js";
import { signingSecret } from "../helpers/pki.js";

/** The field a refused configuration names (the config error's stable `field`). */
function refusedField(value: unknown): string {
  try {
    parseConfigObject(value);
  } catch (error) {
    expect(isOneRecordError(error, "config-invalid")).toBe(true);
    return (error as { field: string }).field;
  }
  throw new Error("expected the configuration to be refused");
}

describe("records configuration", () => {
  it("defaults to the ledger branch onerecord-access/records in the requests repository, no JWKS", () => {
    expect(parseConfigText("").records).toEqual({ branch: "onerecord-access/records" });
  });

  it("accepts the published JWKS of ES256 and EdDSA record keys, a branch and a ledger repository", async () => {
    const es = await loadRecordSigningKey(signingSecret("ES256").pem);
    const ed = await loadRecordSigningKey(signingSecret("EdDSA").pem);
    const records = {
      jwks: { keys: [...es.jwks.keys, ...ed.jwks.keys] },
      branch: "ledger/records",
      repository: "acme/access-ledger",
    };
    const text = stringify({ records });
    expect(parseConfigText(text).records).toEqual(records);
  });

  it("refuses private members, non-record keys, confused algorithms and duplicate kids, naming the key", async () => {
    const es = await loadRecordSigningKey(signingSecret("ES256").pem);
    const ed = await loadRecordSigningKey(signingSecret("EdDSA").pem);
    const rsa = await loadSigningKey(signingSecret("RS256").pem);
    const [esKey, edKey] = [es.jwks.keys[0]!, ed.jwks.keys[0]!];
    const field = (keys: unknown[]) => refusedField({ records: { jwks: { keys } } });
    expect(field([{ ...esKey, d: "AAAA" }])).toBe("records.jwks");
    expect(field([esKey, rsa.jwks.keys[0]])).toBe("records.jwks.keys.1");
    expect(field([{ ...esKey, alg: "EdDSA" }])).toBe("records.jwks.keys.0");
    expect(field([{ ...edKey, alg: "ES256" }])).toBe("records.jwks.keys.0");
    expect(field([{ ...esKey, crv: "P-384" }])).toBe("records.jwks.keys.0");
    expect(field([{ ...esKey, kid: "key-1" }])).toBe("records.jwks.keys.0");
    expect(field([{ ...esKey, use: "enc" }])).toBe("records.jwks.keys.0");
    expect(field([esKey, { ...edKey, kid: esKey.kid }])).toBe("records.jwks.keys.1");
    expect(field([])).toBe("records.jwks.keys");
    expect(refusedField({ records: { jwks: { keys: [esKey], extra: 1 } } })).toBe("records.jwks");
  });

  it.each(["onerecord-access/records", "ledger", "a/b.c_d-e", "records-2026"])("accepts the branch %s", (branch) => {
    expect(parseConfigObject({ records: { branch } }).records.branch).toBe(branch);
  });

  it.each([
    "",
    "-x",
    "a..b",
    "a/.b",
    ".hidden",
    "x.lock",
    "a/x.lock/b",
    "a//b",
    "/a",
    "a/",
    "x.",
    "refs/heads/main",
    "HEAD",
    "a b",
    "a~b",
    "a^b",
    "a:b",
    "a@{1}",
    "a\\b",
    "a*",
    "a?",
    "a[b",
    "é",
    "x".repeat(201),
  ])("refuses the branch %j", (branch) => {
    expect(refusedField({ records: { branch } })).toBe("records.branch");
  });

  it("accepts owner/name as the ledger repository and refuses anything else", () => {
    expect(parseConfigObject({ records: { repository: "acme/access-ledger" } }).records.repository).toBe(
      "acme/access-ledger",
    );
    for (const repository of ["acme", "acme/", "/x", "acme/..", "acme/.", "-acme/x", "a/b/c", "acme/led ger", 7])
      expect(refusedField({ records: { repository } })).toBe("records.repository");
    expect(refusedField({ records: { ledger: "x" } })).toBe("records");
  });

  it("is in the published JSON Schema for editors", async () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(configJsonSchema()));
    const es = await loadRecordSigningKey(signingSecret("ES256").pem);
    expect(validate({ records: { jwks: es.jwks, branch: "ledger", repository: "acme/ledger" } })).toBe(true);
    expect(validate({ records: { branch: "a b" } })).toBe(false);
    expect(validate({ records: { repository: "acme" } })).toBe(false);
    expect(validate({ records: { unknown: true } })).toBe(false);
  });
});
