import { type AiqConfig, ConfigManager, type ConfigManagerOptions } from "@aiq/config-core";
import type { EtcdSourceOptions } from "./options.js";
import { etcdSource } from "./source.js";
import { watchEtcd } from "./watch.js";

/** Options of {@link createEtcdConfigManager}: the manager's (schema, overrides, maxSnapshots, events, logger...) and the source's. */
export type CreateEtcdConfigManagerOptions<T> = Omit<ConfigManagerOptions<T>, "source"> & EtcdSourceOptions;

/**
 * Creates a `ConfigManager` fed from an etcd key and following it:
 * `ConfigManager.create({ ...managerOptions, source: etcdSource(sourceOptions) })` + `watchEtcd(manager)`.
 * @param options - the manager's options and the source's (endpoints, key, auth, tls, cacheFile, timeouts, limits)
 * @returns the manager, holding the validated value as version 1; `manager.close()` stops the watch and closes the connection
 * @throws ConfigReloadError `UNAVAILABLE` naming endpoints and key when etcd cannot be reached within `startupTimeoutMs` (and no cache file holds the key); like `ConfigManager.create` for an invalid value
 * @example
 * await using manager = await createEtcdConfigManager({ endpoints: "http://10.0.0.5:2379", key: "aiq/prod/agent.yml" });
 * manager.subscribe("llms", (config) => rebuildClients(config.llms));
 */
export async function createEtcdConfigManager<T = AiqConfig>(
  options: CreateEtcdConfigManagerOptions<T>,
): Promise<ConfigManager<T>> {
  // The source takes its options (and the logger and secretKeys); the manager everything else.
  const {
    endpoints: _e,
    key: _k,
    auth: _a,
    tls: _t,
    cacheFile: _c,
    startupTimeoutMs: _s,
    callTimeoutMs: _ct,
    ...rest
  } = options;
  const { resyncIntervalMs: _r, maxBytes: _b, maxAliasCount: _al, maxDepth: _d, env: _env, ...managerOptions } = rest;
  const source = etcdSource(options);
  let manager: ConfigManager<T>;
  try {
    manager = await ConfigManager.create<T>({ ...managerOptions, source });
  } catch (error) {
    await source.close();
    throw error;
  }
  watchEtcd(manager);
  return manager;
}
