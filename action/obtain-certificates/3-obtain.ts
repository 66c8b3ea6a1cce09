import type { ObtainedDevice, OnBehalfSettings } from "../../src/acme/obtain-device.js";
import { obtainDevice } from "../../src/acme/obtain-device.js";
import { AcmeFault, type AcmeFaultCode } from "../../src/acme/faults.js";
import { openAccount, type AcmeAccount, type AcmeRetry } from "../../src/acme/order.js";
import type { DeviceTarget } from "./2-decide.js";

/**
 * Step 3 (the CA edge): the account opened once, then each device obtained in turn
 * (src/acme/obtain-device.ts: key in memory, order, our judge, key encrypted). A device's fault
 * does not stop the others — except a CA that stopped answering, which no later device would
 * reach either. What comes back is public or encrypted.
 */

export interface DeviceFault {
  device: string;
  code: AcmeFaultCode | "not-attempted";
  message: string;
}

export interface ObtainOutcome {
  obtained: ObtainedDevice[];
  faults: DeviceFault[];
}

export async function obtainAll(
  request: { number: number; account: string },
  targets: readonly DeviceTarget[],
  ca: { account: AcmeAccount; retry: AcmeRetry; settings: OnBehalfSettings },
  /** The time each chain is judged at: when it arrives (a CA may date a certificate from the second it signs it). */
  now: () => Date,
): Promise<ObtainOutcome> {
  const client = await openAccount(ca.account, ca.retry);
  const outcome: ObtainOutcome = { obtained: [], faults: [] };
  for (const [i, target] of targets.entries()) {
    try {
      const device = { request: request.number, account: request.account, ...target };
      outcome.obtained.push(await obtainDevice(client, device, ca.settings, now));
    } catch (error) {
      if (!(error instanceof AcmeFault)) throw error;
      outcome.faults.push({ device: target.device, code: error.code, message: error.message });
      if (error.code === "ca-unreachable") {
        for (const rest of targets.slice(i + 1))
          outcome.faults.push({
            device: rest.device,
            code: "not-attempted",
            message: "not attempted: the CA stopped answering",
          });
        break;
      }
    }
  }
  return outcome;
}
