import { TrustStore } from "../../certificates/index.js";
import type { AccessConfig } from "../../config/schema.js";

const cache = new WeakMap<AccessConfig, TrustStore>();

/**
 * The trust store a configuration names (the pinned roots plus `certificates.extraCAs`), built
 * once per loaded configuration: a merge and a rebuild judge with the same one.
 */
export function trustStoreFor(config: AccessConfig): TrustStore {
  let trust = cache.get(config);
  if (!trust) {
    trust = TrustStore.default(config.certificates.extraCAs);
    cache.set(config, trust);
  }
  return trust;
}
