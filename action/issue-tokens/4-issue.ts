import type { AccessConfig } from "../../src/config/schema.js";
import { isOneRecordError } from "../../src/errors.js";
import { issuanceEntryOf, type IssuanceEntry } from "../../src/record/issuance-comment.js";
import { issueDeviceToken, type SigningKey } from "../../src/tokens/index.js";
import { refusal, type DevicePlan, type Refusal } from "./2-decide.js";

export interface IssueOptions {
  key: SigningKey;
  account: string;
  tokens: AccessConfig["tokens"];
  now: Date;
  /** The request number: where its status list is (`tokens.statusList.uri` with `{issue}`). */
  request?: number;
  /** The DER of the device's certificate (the leaf of the file at `path`); the workspace edge. */
  readCertificate: (path: string) => Uint8Array;
  newJti?: () => string;
  /** Registers each signed JWT with the runner's masking (`core.setSecret`). */
  mask?: (jwt: string) => void;
}

/**
 * Step 4: a token per device, all in memory before anything is posted, so a device that cannot
 * get one (a key type no JWE fits, a certificate past its validity) stops the run with nothing
 * delivered. Each token is checked to be bound to the certificate the app recorded. What comes
 * back is the public `IssuanceEntry` of each token (its JWE, never the signed JWT).
 */
/** The token's status list entry: the index the app allocated, at the request's list (issue 19). */
function statusOf(plan: DevicePlan, options: IssueOptions): { status?: { idx: number; uri: string } } {
  const template = options.tokens.statusList?.uri;
  if (!template || plan.statusIdx === undefined || options.request === undefined) return {};
  return { status: { idx: plan.statusIdx, uri: template.replace("{issue}", String(options.request)) } };
}

export async function signAndEncryptTokens(
  plans: readonly DevicePlan[],
  options: IssueOptions,
): Promise<{ issued: IssuanceEntry[]; problems: Refusal[] }> {
  const issued: IssuanceEntry[] = [];
  const problems: Refusal[] = [];
  for (const plan of plans) {
    try {
      const { jwe, claims } = await issueDeviceToken({
        key: options.key,
        certificate: options.readCertificate(plan.path),
        device: plan.device,
        account: options.account,
        issuer: options.tokens.issuer,
        audience: options.tokens.audience,
        lifetimeDays: options.tokens.lifetimeDays,
        now: options.now,
        ...statusOf(plan, options),
        ...(options.newJti ? { newJti: options.newJti } : {}),
        ...(options.mask ? { mask: options.mask } : {}),
      });
      if (claims.cnf["x5t#S256"] !== plan.x5tS256) {
        problems.push(
          refusal(
            "fingerprint-mismatch",
            `device ${plan.device}: ${plan.path} changed while the run read it; nothing was issued`,
          ),
        );
        continue;
      }
      issued.push(issuanceEntryOf({ jwe, claims }));
    } catch (error) {
      if (!isOneRecordError(error)) throw error;
      problems.push(refusal("cannot-issue", `device ${plan.device}: ${error.message}`));
    }
  }
  return problems.length > 0 ? { issued: [], problems } : { issued, problems };
}
