import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_PATH_PATTERN,
  applyLayout,
  parseCertificatePath,
  validateCertificateBytes,
  validatePaths,
  type FileReport,
  type TrustStore,
} from "../../src/certificates/index.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile, trustFor, type Issued } from "../helpers/pki.js";

/** The layout certificates/<request>/<device>.pem: device-mismatch and duplicate-device. */

const codes = (report: FileReport | undefined) => [...new Set(report?.errors.map((e) => e.code))].sort();

let trust: TrustStore;
let intermediate: Issued;
const leaves: Issued[] = [];

beforeAll(async () => {
  const root = await makeRoot({ cn: "Layout Root" });
  intermediate = await makeIntermediate(root);
  trust = trustFor(root);
  for (let i = 0; i < 4; i++) leaves.push(await makeLeaf(intermediate, { cn: `device-${i}` }));
});

/** A valid report for a path, with the given leaf. */
function reportFor(path: string, leaf: Issued): FileReport {
  return validateCertificateBytes(pemFile(leaf, intermediate), { path, trust, at: AT });
}

describe("parseCertificatePath", () => {
  it("reads request and device from the default pattern", () => {
    expect(DEFAULT_PATH_PATTERN).toBe("certificates/{request}/{device}.pem");
    expect(parseCertificatePath("certificates/42/gateway-01.pem")).toEqual({ request: 42, device: "gateway-01" });
    expect(parseCertificatePath("./certificates/42/Sensor_A.b.pem")).toEqual({ request: 42, device: "Sensor_A.b" });
  });

  it.each([
    "certificates/42/gateway-01.crt",
    "certificates/abc/gateway-01.pem",
    "certificates/0/gateway-01.pem",
    "certificates/-1/gateway-01.pem",
    "certificates/42/sub/gateway-01.pem",
    "certificates/42/.pem",
    "certificates/42/bad name.pem",
    "certificates/42/-leading-dash.pem",
    "certificates/42/a..b.pem",
    "other/42/gateway-01.pem",
    "certificates/42.pem",
    `certificates/42/${"x".repeat(65)}.pem`,
  ])("refuses %s", (path) => {
    expect(parseCertificatePath(path)).toBeNull();
  });

  it("judges the normalized path (dot segments resolved)", () => {
    expect(parseCertificatePath("certificates/42/../43/x.pem")).toEqual({ request: 43, device: "x" });
    expect(parseCertificatePath("certificates/42/../../x.pem")).toBeNull();
  });

  it("honours a configured pattern", () => {
    expect(parseCertificatePath("access/7/devices/edge-1.crt", "access/{request}/devices/{device}.crt")).toEqual({
      request: 7,
      device: "edge-1",
    });
    expect(parseCertificatePath("certificates/7/edge-1.pem", "access/{request}/devices/{device}.crt")).toBeNull();
  });
});

describe("applyLayout", () => {
  const devices = new Map([[42, ["gateway-01", "Sensor-7"]]]);

  it("adds request and device to a file that follows the pattern", () => {
    const [out] = applyLayout([reportFor("certificates/42/gateway-01.pem", leaves[0]!)], {
      pattern: DEFAULT_PATH_PATTERN,
      devicesByRequest: devices,
    });
    expect(out).toMatchObject({ verdict: "valid", request: 42, device: "gateway-01", errors: [] });
  });

  it("matches the request's device ids case-insensitively", () => {
    const [out] = applyLayout([reportFor("certificates/42/sensor-7.pem", leaves[1]!)], {
      pattern: DEFAULT_PATH_PATTERN,
      devicesByRequest: devices,
    });
    expect(out!.verdict).toBe("valid");
  });

  it("device-mismatch: a device that is not in the request's list", () => {
    const [out] = applyLayout([reportFor("certificates/42/unknown-device.pem", leaves[0]!)], {
      pattern: DEFAULT_PATH_PATTERN,
      devicesByRequest: devices,
    });
    expect(out!.verdict).toBe("invalid");
    expect(codes(out)).toEqual(["device-mismatch"]);
    expect(out!.errors[0]!.message).toContain("unknown-device");
  });

  it("device-mismatch: a request that is not known", () => {
    const [out] = applyLayout([reportFor("certificates/99/gateway-01.pem", leaves[0]!)], {
      pattern: DEFAULT_PATH_PATTERN,
      devicesByRequest: devices,
    });
    expect(codes(out)).toEqual(["device-mismatch"]);
  });

  it.each([
    "certificates/42/gateway-01.crt",
    "certificates/abc/gateway-01.pem",
    "certificates/42/nested/gateway-01.pem",
    "certificates/gateway-01.pem",
  ])("device-mismatch: %s breaks the pattern", (path) => {
    const [out] = applyLayout([reportFor(path, leaves[0]!)], { pattern: DEFAULT_PATH_PATTERN });
    expect(out!.verdict).toBe("invalid");
    expect(codes(out)).toEqual(["device-mismatch"]);
  });

  it("device-mismatch: quotes a file name with terminal escapes inertly", () => {
    const [out] = applyLayout([reportFor("certificates/42/\u001b[2J\u001b]0;owned\u0007.pem", leaves[0]!)], {
      pattern: DEFAULT_PATH_PATTERN,
    });
    expect(codes(out)).toEqual(["device-mismatch"]);
    const message = out!.errors[0]!.message;
    // eslint-disable-next-line no-control-regex -- the point is that none reach the message
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(message).toContain("certificates/42/\\u001b[2J\\u001b]0;owned\\u0007.pem");
  });

  it("duplicate-device: quotes the paths inertly", () => {
    const hostile = "certificates/42/\u001b[2J/../gateway-01.pem";
    const out = applyLayout([reportFor(hostile, leaves[0]!), reportFor("certificates/42/gateway-01.pem", leaves[1]!)], {
      pattern: DEFAULT_PATH_PATTERN,
    });
    expect(out.map(codes)).toEqual([["duplicate-device"], ["duplicate-device"]]);
    // eslint-disable-next-line no-control-regex -- the point is that none reach the messages
    for (const r of out) for (const e of r.errors) expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it("leaves files outside the certificate folder alone", () => {
    const [out] = applyLayout([reportFor("elsewhere/device.pem", leaves[0]!)], { pattern: DEFAULT_PATH_PATTERN });
    expect(out!.verdict).toBe("valid");
    expect(out!.request).toBeUndefined();
  });

  it("without a device list, accepts any well-formed device", () => {
    const [out] = applyLayout([reportFor("certificates/42/anything.pem", leaves[0]!)], {
      pattern: DEFAULT_PATH_PATTERN,
    });
    expect(out!.verdict).toBe("valid");
  });

  it("duplicate-device: two files for one device, case-insensitively", () => {
    const out = applyLayout(
      [
        reportFor("certificates/42/gateway-01.pem", leaves[0]!),
        reportFor("certificates/42/Gateway-01.pem", leaves[1]!),
        reportFor("certificates/42/sensor-7.pem", leaves[2]!),
      ],
      { pattern: DEFAULT_PATH_PATTERN, devicesByRequest: devices },
    );
    expect(out.map(codes)).toEqual([["duplicate-device"], ["duplicate-device"], []]);
    expect(out.map((r) => r.verdict)).toEqual(["invalid", "invalid", "valid"]);
  });

  it("duplicate-device: the same certificate used for two devices", () => {
    const out = applyLayout(
      [reportFor("certificates/42/gateway-01.pem", leaves[0]!), reportFor("certificates/42/sensor-7.pem", leaves[0]!)],
      {
        pattern: DEFAULT_PATH_PATTERN,
        devicesByRequest: devices,
      },
    );
    expect(out.map(codes)).toEqual([["duplicate-device"], ["duplicate-device"]]);
  });

  it("duplicate-device: 500 files sharing one certificate print 500 short findings, not 500 lists of 500 paths", () => {
    const files = Array.from({ length: 500 }, (_, i) => reportFor(`certificates/42/device-${i}.pem`, leaves[0]!));
    const out = applyLayout(files, { pattern: DEFAULT_PATH_PATTERN });
    const messages = out.map((r) => r.errors.find((e) => e.code === "duplicate-device")!.message);
    expect(messages[0]).toBe(
      "the same certificate is used for 500 files (this one and certificates/42/device-1.pem, certificates/42/device-2.pem, certificates/42/device-3.pem and 496 more); each device needs its own",
    );
    // Linear: every finding is bounded, whatever the number of files.
    expect(Math.max(...messages.map((m) => m.length))).toBeLessThan(300);
  });

  it("duplicate-device: the same certificate across two requests", () => {
    const out = applyLayout(
      [
        reportFor("certificates/42/gateway-01.pem", leaves[3]!),
        reportFor("certificates/43/gateway-01.pem", leaves[3]!),
      ],
      {
        pattern: DEFAULT_PATH_PATTERN,
      },
    );
    expect(out.map(codes)).toEqual([["duplicate-device"], ["duplicate-device"]]);
  });

  it("the same device id in two requests is not a duplicate", () => {
    const out = applyLayout(
      [
        reportFor("certificates/42/gateway-01.pem", leaves[0]!),
        reportFor("certificates/43/gateway-01.pem", leaves[1]!),
      ],
      {
        pattern: DEFAULT_PATH_PATTERN,
      },
    );
    expect(out.map((r) => r.verdict)).toEqual(["valid", "valid"]);
  });

  it("keeps the certificate findings and adds layout findings", async () => {
    const serverOnly = await makeLeaf(intermediate, { eku: ["serverAuth"] });
    const [out] = applyLayout([reportFor("certificates/42/nobody.pem", serverOnly)], {
      pattern: DEFAULT_PATH_PATTERN,
      devicesByRequest: devices,
    });
    expect(codes(out)).toEqual(["device-mismatch", "missing-client-auth"]);
  });

  it("does not modify its input", () => {
    const input = [reportFor("certificates/42/not-listed.pem", leaves[0]!)];
    applyLayout(input, { pattern: DEFAULT_PATH_PATTERN, devicesByRequest: devices });
    expect(input[0]!.errors).toEqual([]);
    expect(input[0]!.verdict).toBe("valid");
  });
});

describe("validatePaths with the layout", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "layout-"));
    const write = (path: string, bytes: Uint8Array) => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    };
    write("certificates/5/edge-1.pem", pemFile(leaves[0]!, intermediate));
    // "Edge-1.pem" next to "edge-1.pem" would collide on case-insensitive file systems; the
    // case-insensitive duplicate is covered by applyLayout above.
    write("certificates/5/edge-1.crt", pemFile(leaves[1]!, intermediate));
    write("certificates/5/edge-2.pem", pemFile(leaves[2]!, intermediate));
    write("certificates/5/edge-3.pem", pemFile(leaves[2]!, intermediate));
    write("certificates/5/edge 4.pem", pemFile(leaves[3]!, intermediate));
    write("certificates/6/edge-1.pem", pemFile(leaves[3]!, intermediate));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("walks the folder and applies device-mismatch and duplicate-device", async () => {
    const result = await validatePaths(["certificates"], {
      root: dir,
      trust,
      at: AT,
      pattern: DEFAULT_PATH_PATTERN,
      devicesByRequest: new Map([
        [5, ["edge-1", "edge-2", "edge-3"]],
        [6, ["edge-9"]],
      ]),
    });
    const byPath = new Map(result.files.map((f) => [f.path, f]));
    expect([...byPath.keys()].sort()).toEqual([
      "certificates/5/edge 4.pem",
      "certificates/5/edge-1.crt",
      "certificates/5/edge-1.pem",
      "certificates/5/edge-2.pem",
      "certificates/5/edge-3.pem",
      "certificates/6/edge-1.pem",
    ]);
    expect(codes(byPath.get("certificates/5/edge-1.pem"))).toEqual([]);
    // The wrong extension breaks the pattern: the file does not even name a device.
    expect(codes(byPath.get("certificates/5/edge-1.crt"))).toEqual(["device-mismatch"]);
    expect(codes(byPath.get("certificates/5/edge-2.pem"))).toEqual(["duplicate-device"]);
    expect(codes(byPath.get("certificates/5/edge-3.pem"))).toEqual(["duplicate-device"]);
    expect(codes(byPath.get("certificates/5/edge 4.pem"))).toEqual(["device-mismatch"]);
    expect(codes(byPath.get("certificates/6/edge-1.pem"))).toEqual(["device-mismatch"]);
    expect(result.summary).toEqual({ valid: 1, invalid: 5 });
  });
});
