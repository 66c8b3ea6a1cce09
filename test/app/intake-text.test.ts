import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CIDR_EXAMPLES, checkCidr } from "../../src/app/intake/cidr.js";
import { FIELD, FIELD_LABELS, issueForm } from "../../src/app/intake/form.js";
import { parseRequestForm } from "../../src/app/intake/parse.js";
import { ACCOUNT_ID_RULE } from "../../src/request/account-id.js";
import { DEVICE_ID_RULE, DEVICE_LIST_RULE } from "../../src/request/device-id.js";
import { formBody } from "./helpers/form.js";

/**
 * The words people read — the form, the README, the app's messages — against the rules the app
 * applies: every example they give passes, and every rule is stated once, in the source.
 */
const README = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");

type FormElement = (typeof issueForm.body)[number];
const fields = issueForm.body.filter((e): e is Exclude<FormElement, { type: "markdown" }> => e.type !== "markdown");
const field = (id: string) => fields.find((f) => "id" in f && f.id === id)!;
const description = (id: string) => (field(id).attributes as { description: string }).description;

/** The body GitHub writes when someone submits the form with every placeholder as the answer. */
function bodyFromPlaceholders(): string {
  return fields
    .map((element) => {
      const { label } = element.attributes;
      let value: string;
      if (element.type === "checkboxes") value = element.attributes.options.map((o) => `- [X] ${o.label}`).join("\n");
      else if (element.type === "dropdown") value = element.attributes.options[0];
      // Option 1 (the first choice) leaves the delivery key empty, as its description says.
      else if (element.id === FIELD.deliveryKey) value = "_No response_";
      else {
        const placeholder = (element.attributes as { placeholder?: string }).placeholder;
        expect(placeholder, `${label} has a placeholder`).toBeTruthy();
        value = placeholder!;
      }
      return `### ${label}\n\n${value}\n`;
    })
    .join("\n");
}

const cidrsIn = (text: string) => text.match(/[0-9a-f:.]*[0-9a-f][0-9a-f:.]*\/\d{1,3}/gi) ?? [];
const problemsOf = (body: string) => {
  const r = parseRequestForm(body);
  if (!r.recognized) throw new Error("not recognized");
  return r.problems.map((p) => `${p.field}: ${p.message}`);
};

describe("the form's own examples", () => {
  it("a form filled with its placeholders is a valid request", () => {
    const r = parseRequestForm(bodyFromPlaceholders());
    expect(r.recognized && r.problems).toEqual([]);
    expect(r).toMatchObject({
      valid: true,
      request: { account: "acme-health", devices: ["gateway-01", "gateway-02"] },
    });
  });

  it("every network the form, the README and the messages give as an example passes the check", () => {
    const sources = {
      form: [
        description(FIELD.networkPaths),
        (field(FIELD.networkPaths).attributes as { placeholder: string }).placeholder,
      ],
      readme: [
        README.split("\n").find((line) =>
          line.trim().startsWith(`| ${FIELD_LABELS["network-paths"].split(" (")[0]} |`),
        )!,
      ],
      messages: [
        ...problemsOf(formBody({ networkPaths: "" })),
        ...problemsOf(formBody({ networkPaths: "1.2.3.4/24, 5.6.7.0/24" })),
      ],
    };
    for (const [where, texts] of Object.entries(sources)) {
      const examples = texts.flatMap(cidrsIn).map((c) => c.replace(/\\/g, ""));
      expect(examples.length, `${where} gives examples`).toBeGreaterThan(0);
      for (const example of examples.filter((c) => c !== "1.2.3.4/24" && c !== "5.6.7.0/24"))
        expect(checkCidr(example), `${where}: ${example}`).toMatchObject({ ok: true });
    }
    expect(checkCidr(CIDR_EXAMPLES.ipv6)).toEqual({ ok: true, cidr: CIDR_EXAMPLES.ipv6 });
  });

  it("the documentation ranges stay refused as egress (which is why they are not the examples)", () => {
    for (const reserved of ["203.0.113.0/28", "192.0.2.0/28", "2001:db8::/48"])
      expect(checkCidr(reserved), reserved).toMatchObject({ ok: false, message: expect.stringMatching(/reserved/) });
  });
});

describe("network lines get a message that names the mistake", () => {
  it("several CIDRs on one line, comma- or space-separated", () => {
    for (const line of [
      "8.8.4.0/24, 8.8.8.0/24",
      "8.8.4.0/24,8.8.8.0/24",
      "8.8.4.0/24 8.8.8.0/24",
      "8.8.4.0/24; 8.8.8.0/24",
    ]) {
      const r = checkCidr(line);
      expect(r, line).toMatchObject({
        ok: false,
        message: expect.stringMatching(/several values on one line: write one CIDR a line/),
      });
      expect(r.ok || r.message).not.toMatch(/prefix length/);
    }
  });
  it("a trailing # comment", () => {
    for (const line of ["8.8.4.0/24 # office", "8.8.4.0/24#office", "# our office"]) {
      const r = checkCidr(line);
      expect(r, line).toMatchObject({
        ok: false,
        message: expect.stringMatching(/has a comment .*write the CIDR alone on its line/),
      });
      expect(r.ok || r.message).not.toMatch(/prefix length/);
    }
  });
});

describe("one definition of a device id", () => {
  it("the form and the README state the rule in the source's words", () => {
    for (const [where, text] of [
      ["form", description(FIELD.devices)],
      ["README", README],
    ]) {
      expect(text, where).toContain(DEVICE_ID_RULE);
      expect(text, where).toContain(DEVICE_LIST_RULE);
    }
    expect(DEVICE_ID_RULE).toContain("64 characters");
    expect(DEVICE_LIST_RULE).toContain("500 devices");
  });

  it("the message for a malformed id quotes the same rule", () => {
    expect(problemsOf(formBody({ devices: ["-gateway"] }))).toEqual([expect.stringContaining(DEVICE_ID_RULE)]);
  });

  it("refuses invisible and direction characters, naming the code point, never echoing the character", () => {
    for (const [id, point] of [
      ["gateway\u202e10", "U+202E"],
      ["gate\u2060way", "U+2060"],
      ["\u200bgateway", "U+200B"],
      ["gateway\u2066-01", "U+2066"],
    ] as const) {
      const messages = problemsOf(formBody({ devices: [id] }));
      expect(messages, id).toEqual([expect.stringContaining(`invisible or direction-changing character (${point})`)]);
      expect(messages[0]).not.toMatch(/[\u202a-\u202e\u2060\u2066-\u2069\ufeff]/);
    }
  });

  it("refuses mixed scripts (a Cyrillic а in a Latin id) and names them", () => {
    expect(problemsOf(formBody({ devices: ["g\u0430teway-01"] }))).toEqual([
      expect.stringContaining("mixes Latin and Cyrillic letters"),
    ]);
    expect(problemsOf(formBody({ devices: ["gatéway"] }))).toEqual([
      expect.stringContaining("non-ASCII character U+00E9"),
    ]);
  });
});

describe("the account is an id", () => {
  it("the form has a separate OneRecord account id field whose rule the README states", () => {
    expect(field(FIELD.accountId)).toMatchObject({ type: "input", validations: { required: true } });
    expect(description(FIELD.accountId)).toContain(ACCOUNT_ID_RULE);
    expect(README).toContain(FIELD_LABELS["account-id"]);
    expect(README).toContain(ACCOUNT_ID_RULE);
  });

  it("the request's account is the id, not the organization's name", () => {
    const r = parseRequestForm(formBody({ organization: "Acme Health, Inc.", accountId: "acme-health" }));
    expect(r).toMatchObject({ valid: true, request: { account: "acme-health" } });
  });

  it("names what is wrong with an account id", () => {
    const cases: Array<[string, RegExp]> = [
      ["Acme Health, account acme-health", /is one word, such as acme-health/],
      ["Acme-Health", /write it in lower case/],
      ["acme\u202ehealth", /invisible or direction-changing character \(U\+202E\)/],
      ["\u0430cme", /non-ASCII|mixes/],
      ["-acme", /an account id is lower-case ASCII letters/],
    ];
    for (const [value, message] of cases) {
      const listed = problemsOf(formBody({ accountId: value }));
      expect(listed, value).toEqual([expect.stringMatching(new RegExp(`^account-id: .*${message.source}`))]);
      expect(listed[0]).not.toMatch(/[\u202a-\u202e]/);
    }
    expect(problemsOf(formBody({ accountId: "" }))).toEqual([expect.stringMatching(/^account-id: .*missing/)]);
  });

  it("a request made with the old form (no account id field) is asked for the id", () => {
    const old = formBody()
      .replace(`### ${FIELD_LABELS.organization}\n`, "### Organization and OneRecord account\n")
      .replace(/### OneRecord account id\n\nacme-health\n\n/, "");
    const r = parseRequestForm(old);
    expect(r).toMatchObject({ recognized: true, valid: false });
    expect(problemsOf(old)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^account-id: \*\*OneRecord account id\*\* is missing/)]),
    );
  });

  it("the organization's name refuses invisible and direction characters", () => {
    expect(problemsOf(formBody({ organization: "Acme \u202eHealth" }))).toEqual([
      expect.stringMatching(/^organization: .*invisible or direction-changing character \(U\+202E\)/),
    ]);
  });
});
