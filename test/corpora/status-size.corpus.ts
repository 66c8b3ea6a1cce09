import { describe, it } from "vitest";
import { manyDevices } from "../app/helpers/many-devices.js";

/**
 * The status comment and the ledger's record at scale: 500 devices through four issuance rounds
 * (../app/helpers/many-devices.ts). `npm test` runs the same rounds with 60 devices
 * (test/app/status-size.test.ts).
 */
describe("status comment size: 500 devices and repeated reissues", () => {
  it("keeps current tokens whole, older ones as stand-ins, replays the same and fits", () => {
    manyDevices(500).replayReissueRounds();
  });
});
