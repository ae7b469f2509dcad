export { getEtcdValue, putEtcdValue } from "./value.js";
export type { GetEtcdValueOptions, PutEtcdValueOptions } from "./value.js";
export { DEFAULT_ETCD_MAX_BYTES } from "./options.js";
export type { EtcdConnectionOptions, EtcdSourceOptions } from "./options.js";
