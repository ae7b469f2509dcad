import { etcdSkipReason } from "@aiq/config-testing";

/** Why this machine cannot run the tests against a real etcd (printed loudly), or undefined; throws under CI=true. */
export const skipEtcd = etcdSkipReason();
if (skipEtcd) console.warn(`\n!!! ${skipEtcd}\n`);
