import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceIdentifier, dnsLabelProblem } from "../../src/acme/identifier.js";
import { AcmeFault } from "../../src/acme/faults.js";
import { configureAcmeHttp, obtainCertificate, openAccount, type AcmeAccount } from "../../src/acme/order.js";
import { obtainDevice } from "../../src/acme/obtain-device.js";
import { decryptDeviceKey } from "../../src/delivery/decrypt-device-key.js";
import { makeDeliveryKeyPair } from "../../src/delivery/key-pair.js";
import { titled } from "../helpers/environment.js";
import { trustFor } from "../helpers/pki.js";
import { noPebble, startPebble, type Pebble } from "../helpers/pebble.js";

/**
 * Obtaining a device certificate through ACME with External Account Binding (issue 20, option 2),
 * against Pebble, a real ACME server. Retries are set short: the faults are the CA's, not time.
 */
const TEMPLATE = "{device}.{account}.devices.example.com";
const FAST = { attempts: 1, delaySeconds: 0.05, timeoutMs: 5_000 };

describe("deviceIdentifier", () => {
  it("fills the template with DNS labels and refuses ids that are not one", () => {
    expect(deviceIdentifier("{device}.{account}.devices.example.com", "GW-1", "acme")).toEqual({
      ok: true,
      name: "gw-1.acme.devices.example.com",
    });
    expect(deviceIdentifier("{device}.{account}.example.com", "gw_1", "acme")).toMatchObject({ ok: false });
    expect(deviceIdentifier("{device}.{account}.example.com", "gw.1", "acme")).toMatchObject({ ok: false });
    expect(deviceIdentifier("{device}.{account}.example.com", "gw-1", "acme.health")).toMatchObject({ ok: false });
    expect(dnsLabelProblem("-gw")).toMatch(/DNS label/);
    expect(dnsLabelProblem("gw-01")).toBeNull();
  });
});

describe.skipIf(noPebble !== null)(titled("ACME with External Account Binding, against Pebble", noPebble), () => {
  let pebble: Pebble;
  let account: AcmeAccount;
  beforeAll(async () => {
    pebble = await startPebble();
    configureAcmeHttp(FAST, pebble.agent);
    const accountKeyPem = (await acme.crypto.createPrivateEcdsaKey()).toString();
    account = { directory: pebble.directory, eab: pebble.eab, accountKeyPem };
    await pebble.preValidate(accountKeyPem, ["gw-1.acme.devices.example.com", "gw-2.acme.devices.example.com"]);
  }, 60_000);
  afterAll(() => pebble?.stop());

  it("obtains a clientAuth certificate for a pre-validated identifier, with the key made in memory", async () => {
    const client = await openAccount(account, FAST);
    const got = await obtainCertificate(client, "gw-1.acme.devices.example.com", "ec-p256");
    const leaf = new X509Certificate(got.chainPem);
    expect(leaf.subjectAltName).toBe("DNS:gw-1.acme.devices.example.com");
    expect(leaf.keyUsage ?? []).toContain("1.3.6.1.5.5.7.3.2");
    expect(leaf.publicKey.export({ type: "spki", format: "der" })).toEqual(
      createPublicKey(got.privateKey).export({ type: "spki", format: "der" }),
    );
    expect(got.orderUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
  });

  it("obtains with RSA 3072 and P-384 device keys", async () => {
    const client = await openAccount(account, FAST);
    for (const type of ["rsa-3072", "ec-p384"] as const) {
      const got = await obtainCertificate(client, "gw-2.acme.devices.example.com", type);
      expect(got.privateKey.asymmetricKeyType).toBe(type === "rsa-3072" ? "rsa" : "ec");
    }
  });

  it("says the EAB was refused, and a domain the account has not validated", async () => {
    // A new account key with a wrong HMAC (an existing account is found by its key: EAB binds once).
    const newKey = async () => (await acme.crypto.createPrivateEcdsaKey()).toString();
    const wrong = { ...account, accountKeyPem: await newKey(), eab: { kid: "kid-1", hmacKey: "A".repeat(64) } };
    await expect(openAccount(wrong, FAST)).rejects.toMatchObject({ code: "account-refused" });
    const fresh = { ...account, accountKeyPem: await newKey() };
    const client = await openAccount(fresh, FAST);
    const refused = await obtainCertificate(client, "gw-9.acme.devices.example.com", "ec-p256").catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AcmeFault);
    expect(refused).toMatchObject({ code: "authorization-pending", message: expect.stringMatching(/pre-validate/) });
  });

  it("judges the chain with our judge, then delivers the key only encrypted to the customer's delivery key", async () => {
    const client = await openAccount(account, FAST);
    const pair = await makeDeliveryKeyPair();
    const target = { request: 7, account: "acme", device: "gw-1", path: "certificates/7/gw-1.pem" };
    const trusted = {
      identifierTemplate: TEMPLATE,
      keyType: "ec-p256" as const,
      warnDays: 30,
      deliveryKey: pair.publicJwk,
    };
    const got = await obtainDevice(client, target, { ...trusted, trust: trustFor({ pem: await pebble.rootPem() }) });
    expect(got).toMatchObject({
      device: "gw-1",
      identifier: "gw-1.acme.devices.example.com",
      report: { verdict: "valid" },
    });
    expect(JSON.stringify(got)).not.toMatch(/PRIVATE KEY/);
    const opened = await decryptDeviceKey(
      got.keyJwe,
      createPrivateKey(pair.privatePem),
      new X509Certificate(got.chainPem).publicKey,
    );
    expect(opened).toMatchObject({ device: "gw-1", x5tS256: got.x5tS256 });
    // A CA our judge does not trust: refused, nothing delivered.
    const untrusted = obtainDevice(client, target, { ...trusted, trust: trustFor() });
    await expect(untrusted).rejects.toMatchObject({ code: "certificate-refused" });
  });

  it("says the CA is unreachable, after its bounded retries", async () => {
    const gone = { ...account, directory: "https://127.0.0.1:9/dir" };
    await expect(openAccount(gone, FAST)).rejects.toMatchObject({ code: "ca-unreachable" });
  });
});
