export { type ConfigFixture, type ConfigFixtureOptions, createConfigFixture } from "./fixture.js";
export { SAVE_MODES, type SaveMode, type SaveOptions } from "./save-modes.js";
export { MemorySource, type MemorySourceOptions } from "./memory-source.js";
export { checksumOf } from "./stable-json.js";
export { passThroughSchema } from "./pass-through-schema.js";
export { FakeWatcher, type FakeWatcherOptions } from "./fake-watcher.js";
export { type EventRecorder, type NextEventOptions, recordEvents } from "./recorder.js";
export {
  type ConfigReload,
  type ReloadingManager,
  type WaitForEventOptions,
  type WaitForOptions,
  type WaitForReloadOptions,
  waitFor,
  waitForEvent,
  waitForReload,
} from "./wait.js";
export {
  PROTOTYPE_POLLUTION_PATHS,
  type PrototypeNames,
  plantedKeys,
  prototypeNames,
  RESERVED_KEYS,
} from "./pollution.js";
export { etcdSkipReason, findEtcd } from "./etcd-binary.js";
export type { EnableAuthOptions, EtcdClusterStatus, EtcdKeyValue, EtcdUserSpec } from "./etcd-gateway.js";
export { startEtcd } from "./etcd-server.js";
export { findFreePort } from "./free-port.js";
export type { EtcdMember, EtcdServer, EtcdTlsFiles, StartEtcdOptions } from "./etcd-types.js";
