import type { KeyObject } from "node:crypto";
import acme from "acme-client";
import { AcmeFault, detailOf, unreachable } from "./faults.js";
import { makeDeviceKeyAndCsr, type DeviceKeyType } from "./device-key.js";

/**
 * One device's certificate obtained through ACME (RFC 8555) with External Account Binding
 * (§7.3.4), with acme-client: the account (found again by its key on every run: the same
 * ACME_ACCOUNT_KEY), an order for the device's identifier, its authorizations (which must be
 * valid already: a client-authentication profile's domain is pre-validated in the CA account;
 * the workflow answers no challenge), the key and CSR made in memory, the order finalized, the
 * chain downloaded. Every failure is an AcmeFault with a stable code.
 *
 * Retries: acme-client retries a request on network errors, 429 and 5xx, waiting
 * `retryDefaultDelay × attempt` seconds (or the CA's Retry-After), at most `retryMaxAttempts`
 * times; polling an order uses its own bounded backoff. Both are set from `AcmeRetry`.
 */

export interface AcmeAccount {
  directory: string;
  eab: { kid: string; hmacKey: string };
  /** PEM of the ACME account key (ACME_ACCOUNT_KEY). */
  accountKeyPem: string;
}

export interface AcmeRetry {
  attempts: number;
  /** Seconds; the n-th retry waits n times this. */
  delaySeconds: number;
  /** Milliseconds before one request is abandoned. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: AcmeRetry = { attempts: 4, delaySeconds: 5, timeoutMs: 30_000 };

export interface Obtained {
  privateKey: KeyObject;
  /** The PEM chain as the CA gave it: the leaf first. */
  chainPem: string;
  orderUrl: string;
}

/** acme-client's HTTP settings are its module's: set once per run (the workflow obtains for one request). */
export function configureAcmeHttp(retry: AcmeRetry, agent?: unknown): void {
  // Not in axios's types: acme-client keeps its retry settings beside axios's own defaults.
  const defaults = acme.axios.defaults as typeof acme.axios.defaults & { acmeSettings: Record<string, number> };
  defaults.acmeSettings = {
    ...defaults.acmeSettings,
    retryMaxAttempts: retry.attempts,
    retryDefaultDelay: retry.delaySeconds,
  };
  acme.axios.defaults.timeout = retry.timeoutMs;
  // The CA answers at the URLs it gave: a redirect elsewhere (another host, plain http) is not followed.
  acme.axios.defaults.maxRedirects = 0;
  if (agent) acme.axios.defaults.httpsAgent = agent;
}

export async function openAccount(account: AcmeAccount, retry: AcmeRetry): Promise<acme.Client> {
  const client = new acme.Client({
    directoryUrl: account.directory,
    accountKey: account.accountKeyPem,
    externalAccountBinding: account.eab,
    backoffAttempts: Math.max(3, retry.attempts * 2),
    backoffMin: Math.max(50, retry.delaySeconds * 200),
    backoffMax: Math.max(200, retry.delaySeconds * 2000),
  });
  try {
    await findOrCreateAccount(client);
  } catch (error) {
    if (unreachable(error))
      throw new AcmeFault(
        "ca-unreachable",
        `the CA at ${account.directory} did not answer (after ${retry.attempts} retries)`,
      );
    throw new AcmeFault(
      "account-refused",
      `the CA refused the ACME account — check ACME_EAB_KID, ACME_EAB_HMAC and ACME_ACCOUNT_KEY in the environment: ${detailOf(error)}`,
    );
  }
  return client;
}

/**
 * The account of ACME_ACCOUNT_KEY: found (`onlyReturnExisting`, RFC 8555 §7.3.1), else created
 * with the EAB. (acme-client's createAccount, given an existing account, sends an update that a
 * strict server refuses: the lookup comes first.)
 */
async function findOrCreateAccount(client: acme.Client): Promise<void> {
  try {
    await client.createAccount({ onlyReturnExisting: true });
    return;
  } catch (error) {
    if (unreachable(error)) throw error;
  }
  await client.createAccount({ termsOfServiceAgreed: true });
}

export async function obtainCertificate(
  client: acme.Client,
  identifier: string,
  keyType: DeviceKeyType,
): Promise<Obtained> {
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AcmeFault) throw error;
      if (unreachable(error)) throw new AcmeFault("ca-unreachable", `the CA did not answer while ${what}`);
      throw new AcmeFault("order-failed", `the CA refused ${what} for ${identifier}: ${detailOf(error)}`);
    }
  };
  const order = await step("the order", () =>
    client.createOrder({ identifiers: [{ type: "dns", value: identifier }] }),
  );
  const authorizations = await step("the authorizations", () => client.getAuthorizations(order));
  const pending = authorizations.filter((a) => a.status !== "valid");
  if (pending.length)
    throw new AcmeFault(
      "authorization-pending",
      `the CA asks to validate ${pending.map((a) => a.identifier.value).join(", ")} (status ${pending[0]!.status}): pre-validate the domain in the CA account for this profile; the workflow answers no challenge`,
    );
  const { privateKey, csrPem } = await makeDeviceKeyAndCsr(keyType, identifier);
  const finalized = await step("the finalization", () => client.finalizeOrder(order, csrPem));
  const chainPem = await step("the certificate download", () => client.getCertificate(finalized));
  return { privateKey, chainPem, orderUrl: order.url };
}
