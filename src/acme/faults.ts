/**
 * Why a certificate could not be obtained for a device (option 2), with a stable code the
 * workflow's report, the app and tests match on. Messages say what to do; they never carry key
 * material or the EAB secret.
 */
export type AcmeFaultCode =
  /** The CA did not answer (after the bounded retries), or answered with server errors. */
  | "ca-unreachable"
  /** The CA refused the account: a wrong or used-up External Account Binding. */
  | "account-refused"
  /** The CA wants the identifier's domain validated first: pre-validate it in the CA account. */
  | "authorization-pending"
  /** The CA refused or failed the order. */
  | "order-failed"
  /** The certificate the CA returned does not pass our judge (no clientAuth, untrusted chain, …). */
  | "certificate-refused"
  /** The device or account id cannot name a certificate (src/acme/identifier.ts). */
  | "identifier-invalid";

export class AcmeFault extends Error {
  constructor(
    readonly code: AcmeFaultCode,
    message: string,
  ) {
    super(message);
    this.name = "AcmeFault";
  }
}

/**
 * acme-client retries network errors, 429 and 5xx itself (`acme.axios.defaults.acmeSettings`),
 * then fails with a TypeError or an axios error that has no response: both mean the CA was not
 * reached. An Error from acme-client with a message is the CA's problem detail (RFC 8555 §6.7).
 */
export function unreachable(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  const e = error as { isAxiosError?: boolean; response?: unknown; code?: string };
  return (!!e.isAxiosError && !e.response) || (typeof e.code === "string" && /^E[A-Z]+$/.test(e.code));
}

/** The CA's problem detail, bounded and on one line (it is shown in a job summary and a comment). */
export function detailOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, " ").slice(0, 300);
}
