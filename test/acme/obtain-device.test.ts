import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type acme from "acme-client";
import { beforeAll, describe, expect, it } from "vitest";
import { obtainDevice } from "../../src/acme/obtain-device.js";
import { makeDeliveryKeyPair } from "../../src/delivery/key-pair.js";
import { makeIntermediate, makeLeaf, makeRoot, pemFile, trustFor, validFor, type Issued } from "../helpers/pki.js";

/**
 * obtainDevice (option 2) with a CA that answers wrongly (no ACME server needed): a leaf that does
 * not carry the key made for it, or names another device, is refused and nothing is delivered —
 * even when our judge would find the chain itself valid.
 */
let root: Issued;
let intermediate: Issued;
beforeAll(async () => {
  root = await makeRoot({ cn: "Fake CA Root", ...validFor(3650) });
  intermediate = await makeIntermediate(root, { cn: "Fake CA Intermediate", ...validFor(3650) });
});

/** A "CA" whose certificate is `issue(identifier)`: the key in the CSR is ignored, as a broken or hostile CA might. */
function fakeCa(issue: () => Promise<string>): acme.Client {
  return {
    createOrder: () => Promise.resolve({ url: "https://ca.example/order/1" }),
    getAuthorizations: () => Promise.resolve([{ status: "valid", identifier: { value: "x" } }]),
    finalizeOrder: () => Promise.resolve({ url: "https://ca.example/order/1" }),
    getCertificate: () => issue(),
  } as unknown as acme.Client;
}

const target = { request: 7, account: "acme", device: "gw-1", path: "certificates/7/gw-1.pem" };

describe("obtainDevice against a CA that answers wrongly", () => {
  it("refuses a trusted clientAuth leaf that does not carry the key made for it", async () => {
    const { publicJwk } = await makeDeliveryKeyPair();
    const other = await makeLeaf(intermediate, {
      cn: "gw-1.acme.devices.example.com",
      san: [{ type: "dns", value: "gw-1.acme.devices.example.com" }],
      ...validFor(300),
    });
    const settings = {
      identifierTemplate: "{device}.{account}.devices.example.com",
      keyType: "ec-p256" as const,
      trust: trustFor(root),
      warnDays: 30,
      deliveryKey: publicJwk,
    };
    const got = obtainDevice(
      fakeCa(() => Promise.resolve(Buffer.from(pemFile(other, intermediate)).toString())),
      target,
      settings,
    );
    await expect(got).rejects.toMatchObject({
      code: "certificate-refused",
      message: expect.stringMatching(/not the key made for it/),
    });
  });

  it("refuses a leaf for the right key but naming another identifier (it would be another device's)", async () => {
    const { publicJwk } = await makeDeliveryKeyPair();
    const settings = {
      identifierTemplate: "{device}.{account}.devices.example.com",
      keyType: "ec-p256" as const,
      trust: trustFor(root),
      warnDays: 30,
      deliveryKey: publicJwk,
    };
    // This CA signs the key of the CSR it is sent, under a name of its own choosing.
    let csrPem = "";
    const ca = {
      ...fakeCa(async () => {
        const csr = new x509.Pkcs10CertificateRequest(csrPem);
        const leaf = await x509.X509CertificateGenerator.create(
          {
            serialNumber: "0a0b",
            subject: "CN=victim",
            issuer: intermediate.cert.subject,
            notBefore: new Date(Date.now() - 86_400_000),
            notAfter: new Date(Date.now() + 300 * 86_400_000),
            publicKey: await csr.publicKey.export(webcrypto),
            signingKey: intermediate.keys.privateKey,
            signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
            extensions: [
              new x509.BasicConstraintsExtension(false, undefined, true),
              new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
              new x509.SubjectAlternativeNameExtension([{ type: "dns", value: "victim.other.example.com" }]),
            ],
          },
          webcrypto,
        );
        return `${leaf.toString("pem")}\n${intermediate.pem}`;
      }),
      finalizeOrder: (_order: unknown, csr: string) => {
        csrPem = csr;
        return Promise.resolve({ url: "https://ca.example/order/1" });
      },
    } as unknown as acme.Client;
    const got = obtainDevice(ca, target, settings);
    await expect(got).rejects.toMatchObject({
      code: "certificate-refused",
      message: expect.stringMatching(/does not name gw-1\.acme\.devices\.example\.com/),
    });
  });
});
