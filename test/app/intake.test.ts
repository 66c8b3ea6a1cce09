import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkCidr } from "../../src/app/intake/cidr.js";
import { CERTIFICATE_OPTIONS, issueForm } from "../../src/app/intake/form.js";
import { makeDeliveryKeyPair } from "../../src/delivery/key-pair.js";
import { parseRequestForm } from "../../src/app/intake/parse.js";
import { formBody } from "./helpers/form.js";

const problems = (body: string) => {
  const r = parseRequestForm(body);
  if (!r.recognized) throw new Error("not recognized");
  return r.problems.map((p) => `${p.field}: ${p.message}`);
};

describe("issue form", () => {
  it("the committed issue template is the form the app parses against", () => {
    const file = readFileSync(
      resolve(import.meta.dirname, "../../.github/ISSUE_TEMPLATE/production-access.yml"),
      "utf8",
    );
    expect(parse(file)).toEqual(JSON.parse(JSON.stringify(issueForm)));
  });

  it("parses a valid request into its content and a stable hash", () => {
    const r = parseRequestForm(formBody());
    expect(r).toMatchObject({
      recognized: true,
      valid: true,
      request: {
        account: "acme-health",
        devices: ["gateway-01", "gateway-02"],
        certificateOption: 1,
        networkPaths: ["8.8.4.0/24"],
      },
    });
    const again = parseRequestForm(formBody().replace(/\n/g, "\r\n"));
    expect(again.recognized && again.valid && again.request.sha256).toBe(r.recognized && r.valid && r.request.sha256);
    expect(
      parseRequestForm(
        formBody({
          option:
            "Option 2 (not recommended): OneRecord obtains a certificate on our behalf and hands us the private key",
        }),
      ),
    ).toMatchObject({ valid: true, request: { certificateOption: 2 } });
  });

  it("does not take an ordinary issue for a request", () => {
    expect(parseRequestForm("The README has a typo.")).toEqual({ recognized: false });
    expect(parseRequestForm("")).toEqual({ recognized: false });
    expect(parseRequestForm(null)).toEqual({ recognized: false });
  });

  it("names each problem precisely", () => {
    expect(problems(formBody({ devices: "" }))).toEqual([expect.stringMatching(/^devices: .*no devices listed/)]);
    expect(problems(formBody({ devices: ["gw-1", "GW-1", "bad id!", "a,b"] }))).toEqual([
      expect.stringMatching(
        /line 2: "GW\\-1" is listed twice \(first on line 1; device ids compare case-insensitively\)/,
      ),
      expect.stringMatching(/line 3: "bad id\\!" is not a valid device id: several ids on one line/),
      expect.stringMatching(/line 4: "a\\,b" is not a valid device id/),
    ]);
    expect(problems(formBody({ option: "Option 3: magic" }))).toEqual([
      expect.stringMatching(/^certificate-option: .*unknown option "Option 3\\: magic"/),
    ]);
    expect(problems(formBody({ option: "None" }))).toEqual([expect.stringMatching(/^certificate-option: .*missing/)]);
    expect(problems(formBody({ stageTested: false }))).toEqual([expect.stringMatching(/^stage-testing: /)]);
    expect(problems(formBody({ contact: "Jane" }))).toEqual([expect.stringMatching(/^contact: .*e-mail/)]);
    expect(problems(formBody({ phiUse: "" }))).toEqual([expect.stringMatching(/^phi-use: .*missing/)]);
    expect(
      problems(
        formBody({ networkPaths: ["8.8.4.0/24", "300.1.1.1/24", "8.8.4.1/24", "10.0.0.0/8", "8.8.4.0/24", "8.8.8.8"] }),
      ),
    ).toEqual([
      expect.stringMatching(/line 2: "300\\.1\\.1\\.1\\\/24" is not an IPv4 or IPv6 network/),
      expect.stringMatching(/line 3: .* has host bits set: did you mean 8\.8\.4\.0\/24\?/),
      expect.stringMatching(/line 4: .* is a private range/),
      expect.stringMatching(/line 5: 8\.8\.4\.0\/24 is listed twice \(first on line 1\)/),
      expect.stringMatching(/line 6: .* has no prefix length \(add \/32 for a single address\)/),
    ]);
  });

  it("bounds the device list and the problems listed", () => {
    const many = Array.from({ length: 501 }, (_, i) => `d-${i}`);
    expect(problems(formBody({ devices: many }))).toEqual([
      expect.stringMatching(/501 devices listed; one request covers at most 500/),
    ]);
    const bad = Array.from({ length: 30 }, (_, i) => `bad ${i}`);
    const listed = problems(formBody({ devices: bad }));
    expect(listed).toHaveLength(11);
    expect(listed.at(-1)).toMatch(/20 more problems like these/);
  });
});

describe("CIDR check", () => {
  it("accepts public IPv4 and IPv6 networks in canonical form", () => {
    expect(checkCidr("8.8.4.0/24")).toEqual({ ok: true, cidr: "8.8.4.0/24" });
    expect(checkCidr("2a00:1450:4001::/48")).toEqual({ ok: true, cidr: "2a00:1450:4001::/48" });
  });
  it("refuses malformed, broad, host-bit and non-public networks", () => {
    for (const bad of [
      "8.8.4.0/33",
      "8.8.4.0/-1",
      "8.8.4.0/ 24",
      "010.8.4.0/24",
      "8.8.4/24",
      "0.0.0.0/0",
      "1.0.0.0/4",
      "::1/128",
      "fe80::/64",
      "192.168.1.0/24",
      "2a00:1450:4001::1/48",
      "8.8.4.0/024x",
    ]) {
      expect(checkCidr(bad).ok, bad).toBe(false);
    }
  });
});

describe("the delivery public key (option 2)", () => {
  const OPTION_2 = CERTIFICATE_OPTIONS[1];
  const publicJwk = () => makeDeliveryKeyPair().then((p) => JSON.stringify(p.publicJwk));

  it("is required with option 2 and kept in the request; option 1 without it hashes as before the field", async () => {
    const jwk = await publicJwk();
    const r = parseRequestForm(formBody({ option: OPTION_2, deliveryKey: jwk }));
    expect(r).toMatchObject({ valid: true, request: { certificateOption: 2, deliveryKey: JSON.parse(jwk) } });
    expect(problems(formBody({ option: OPTION_2, deliveryKey: "" }))).toEqual([
      expect.stringMatching(/^delivery-key: \*\*Delivery public key \(option 2 only\)\*\* is required with option 2/),
    ]);
    // The same option-1 form with and without the new section: one hash (approvals still bind).
    const withSection = parseRequestForm(formBody());
    const withoutSection = parseRequestForm(formBody().replace(/### Delivery public key[^#]*/, ""));
    expect(withSection.recognized && withSection.request?.sha256).toBe(
      withoutSection.recognized && withoutSection.request?.sha256,
    );
    expect(withSection.recognized && withSection.request && "deliveryKey" in withSection.request).toBe(false);
  });

  it("is refused with option 1, malformed, or holding a private part (said first, never quoted)", async () => {
    expect(problems(formBody({ deliveryKey: await publicJwk() }))).toEqual([
      expect.stringMatching(/is for option 2 only/),
    ]);
    expect(problems(formBody({ option: OPTION_2, deliveryKey: "my key" }))).toEqual([
      expect.stringMatching(/is not a JSON Web Key/),
    ]);
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const secret = privateKey.export({ format: "jwk" });
    for (const option of [OPTION_2, CERTIFICATE_OPTIONS[0]]) {
      const said = problems(formBody({ option, deliveryKey: JSON.stringify(secret) }));
      expect(said).toEqual([expect.stringMatching(/holds a private key/)]);
      expect(said.join()).not.toContain(secret.d);
    }
  });
});
