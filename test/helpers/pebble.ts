import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import acme from "acme-client";
import { missingCommand } from "./environment.js";
import { makeLeaf, makeRoot, validFor } from "./pki.js";

/**
 * Let's Encrypt's Pebble (Debian package `pebble`), a real ACME server (RFC 8555), started on
 * 127.0.0.1 for a test with a generated listener certificate, External Account Binding required
 * (one key id), challenges taken as valid when answered (PEBBLE_VA_ALWAYS_VALID) and valid
 * authorizations reused (PEBBLE_AUTHZREUSE=100): `preValidate` plays the CA operator who
 * validated the domains of the account's profile, so the code under test meets what it meets at
 * DigiCert, GlobalSign or Sectigo — authorizations already valid. `.ci/run` installs the package.
 */

/** Why the ACME tests cannot run here, or null. */
export const noPebble = missingCommand("pebble", "apt-get install pebble; .ci/run does");

export interface Pebble {
  directory: string;
  eab: { kid: string; hmacKey: string };
  /** Trusts the listener certificate (for acme-client's HTTPS agent). */
  agent: Agent;
  /** PEM of the root that signs what Pebble issues (a new one each start). */
  rootPem(): Promise<string>;
  preValidate(accountKeyPem: string, identifiers: string[]): Promise<void>;
  /** Stop answering (a CA that went away); `stop` ends it for good. */
  stop(): void;
}

export async function startPebble(): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), "pebble-"));
  // The External Account Binding's HMAC key, made for this server (base64url, as CAs hand them out).
  const HMAC = randomBytes(48).toString("base64url");
  const root = await makeRoot({ cn: "Pebble listener root", ...validFor(30) });
  const listener = await makeLeaf(root, {
    cn: "localhost",
    ...validFor(30),
    eku: ["serverAuth"],
    san: [
      { type: "dns", value: "localhost" },
      { type: "ip", value: "127.0.0.1" },
    ],
  });
  writeFileSync(join(dir, "cert.pem"), listener.pem);
  writeFileSync(join(dir, "key.pem"), listener.keyPem);
  const [port, management] = [await freePort(), await freePort()];
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${port}`,
      managementListenAddress: `127.0.0.1:${management}`,
      certificate: join(dir, "cert.pem"),
      privateKey: join(dir, "key.pem"),
      httpPort: await freePort(),
      tlsPort: await freePort(),
      ocspResponderURL: "",
      externalAccountBindingRequired: true,
      externalAccountMACKeys: { "kid-1": HMAC },
    },
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  const child = spawn("pebble", ["-config", join(dir, "config.json")], {
    env: {
      ...process.env,
      PEBBLE_VA_ALWAYS_VALID: "1",
      PEBBLE_VA_NOSLEEP: "1",
      PEBBLE_AUTHZREUSE: "100",
      PEBBLE_WFE_NONCEREJECT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await listening(child);
  const agent = new Agent({ ca: root.pem });
  const directory = `https://127.0.0.1:${port}/dir`;
  return {
    directory,
    eab: { kid: "kid-1", hmacKey: HMAC },
    agent,
    rootPem: () => fetchText(`https://127.0.0.1:${management}/roots/0`, root.pem),
    preValidate: async (accountKeyPem, identifiers) => {
      // acme-client's HTTP client is its module's: it must trust this listener (the code under test sets it too).
      acme.axios.defaults.httpsAgent = agent;
      const client = new acme.Client({
        directoryUrl: directory,
        accountKey: accountKeyPem,
        externalAccountBinding: { kid: "kid-1", hmacKey: HMAC },
        backoffMin: 50,
        backoffMax: 200,
      });
      await client.createAccount({ termsOfServiceAgreed: true });
      for (const value of identifiers) {
        const order = await client.createOrder({ identifiers: [{ type: "dns", value }] });
        for (const authz of await client.getAuthorizations(order)) {
          if (authz.status === "valid") continue;
          const challenge = authz.challenges.find((c) => c.type === "dns-01")!;
          await client.completeChallenge(challenge);
          await client.waitForValidStatus(challenge);
        }
      }
    },
    stop: () => {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`pebble did not start: ${out.slice(-500)}`)), 20_000);
    const seen = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("ACME directory available")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", seen);
    child.stderr!.on("data", seen);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pebble exited (${code}): ${out.slice(-500)}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function fetchText(url: string, caPem: string): Promise<string> {
  const { get } = await import("node:https");
  return new Promise((resolve, reject) => {
    get(url, { ca: caPem }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString("utf8")));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}
