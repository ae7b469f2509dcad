import { type ConfigManager, formatIssue } from "@aiq/config-core";
import { createEventManager } from "@aiq/config-events";
import { type EtcdServer, waitFor } from "@aiq/config-testing";
import { createEtcdConfigManager, type CreateEtcdConfigManagerOptions } from "../src/index.js";

/** A valid AIQ config whose `llms.main.temperature` is `n`: each put is a distinct, checkable value. */
export const configWith = (n: number): string => `llms:\n  main:\n    _type: openai\n    temperature: ${n}\n`;

/** What a manager's config says `n` is. */
export const counterOf = (manager: ConfigManager): number | undefined =>
  (manager.currentConfig.llms as Record<string, { temperature?: number }>).main?.temperature;

/** A quiet logger that keeps its warnings, for assertions. */
export function recordingLogger(): {
  warnings: string[];
  debug(): void;
  info(): void;
  warn(m: string): void;
  error(m: string): void;
} {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

/** Starts `count` managers in this process, each on its own bus, following `key`; resolves once every watch is up. */
export async function startManagers(
  count: number,
  options: Omit<CreateEtcdConfigManagerOptions<unknown>, "events"> & { key: string },
): Promise<ConfigManager[]> {
  const managers: ConfigManager[] = [];
  for (let i = 0; i < count; i++) {
    managers.push(
      // A generous start: on a loaded machine the first connection may be slow; starting is not what is tested here.
      (await createEtcdConfigManager({
        logger: recordingLogger(),
        callTimeoutMs: 1000,
        startupTimeoutMs: 20_000,
        ...options,
        events: createEventManager(),
      })) as ConfigManager,
    );
  }
  await waitFor(() => managers.every((m) => m.status.watch?.connected === true), {
    timeout: 10_000,
    message: `every watch connected: ${managers.map(describeManager).join(" | ")}`,
  });
  return managers;
}

/** How a manager stands, in one line, for a timeout message. */
export function describeManager(manager: ConfigManager): string {
  const { sourceRevision, lastError, watch, version } = manager.status;
  const error = lastError ? ` lastError=${lastError.code}: ${lastError.message}` : "";
  return `v${version} rev=${sourceRevision} watch=${JSON.stringify(watch)}${error}`;
}

/**
 * I2 for a fleet: waits until every manager's `status.sourceRevision` is etcd's `mod_revision` of
 * the key, and returns that revision.
 */
export async function expectConverged(
  managers: readonly ConfigManager[],
  etcd: EtcdServer,
  key: string,
  timeout = 10_000,
): Promise<string> {
  const revision = (await etcd.get(key))?.modRevision;
  if (revision === undefined) throw new Error(`${key} is absent: nothing to converge on`);
  await waitFor(() => managers.every((m) => m.status.sourceRevision === revision), {
    timeout,
    message: `every manager on revision ${revision}: ${managers.map(describeManager).join(" | ")}`,
  });
  return revision;
}

/** Waits until every manager reports a failure (lastError) about `revision`, and returns the printed first issue (or message) of each. */
export async function expectRefused(
  managers: readonly ConfigManager[],
  revision: string,
  timeout = 5000,
): Promise<string[]> {
  const about = (m: ConfigManager): boolean =>
    m.status.lastError?.message.includes(`@${revision}`) === true ||
    m.status.lastError?.message.includes(`revision ${revision}`) === true;
  await waitFor(() => managers.every(about), {
    timeout,
    message: `every manager refused revision ${revision}: ${managers.map(describeManager).join(" | ")}`,
  });
  return managers.map((m) => {
    const issue = m.status.lastError?.issues?.[0];
    return issue ? formatIssue(issue) : (m.status.lastError?.message ?? "");
  });
}

/** Closes every manager. */
export async function closeAll(managers: readonly ConfigManager[]): Promise<void> {
  await Promise.all(managers.map((m) => m.close()));
}
