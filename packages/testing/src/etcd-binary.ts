import { accessSync, constants } from "node:fs";
import * as path from "node:path";

/**
 * Finds the etcd server binary: `AIQ_ETCD_BIN` when set, else `etcd` on the `PATH`.
 * @returns its absolute path, or `undefined` when there is none
 * @example const etcd = findEtcd(); // "/usr/bin/etcd"
 */
export function findEtcd(): string | undefined {
  const given = process.env.AIQ_ETCD_BIN;
  if (given) return isExecutable(given) ? path.resolve(given) : undefined;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "etcd");
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Why tests against a real etcd cannot run here, for `describe.skipIf(...)`; under `CI=true` a
 * missing etcd is not a reason to skip but an error (CI installs it).
 * @returns `undefined` when etcd is available, else a sentence saying what is missing and how to install it
 * @example
 * const skip = etcdSkipReason();
 * if (skip) console.warn(`SKIPPED: ${skip}`);
 * describe.skipIf(skip)("against a real etcd", () => { ... });
 */
export function etcdSkipReason(): string | undefined {
  if (findEtcd()) return undefined;
  const where = process.env.AIQ_ETCD_BIN
    ? `AIQ_ETCD_BIN=${process.env.AIQ_ETCD_BIN} is not executable`
    : "no `etcd` on the PATH";
  const reason = `etcd tests skipped: ${where} (install it: apt-get install etcd-server, or set AIQ_ETCD_BIN)`;
  if (process.env.CI === "true")
    throw new Error(`${reason.replace("etcd tests skipped", "etcd is required under CI=true")}`);
  return reason;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
