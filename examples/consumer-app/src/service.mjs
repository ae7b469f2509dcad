// A tiny "agent service" that hot-reloads its config with aiq-config, as an outside user would
// write it: only the published entry points of the @aiq/config-* packages, no build step.
import { ConfigEventType } from "@aiq/config-events";
import { createConfigManager } from "@aiq/config-loader";
import { autoReload, connectRunner } from "@aiq/config-watcher";

/** @typedef {import("@aiq/config-core").AiqConfig} AiqConfig */
/** @typedef {import("@aiq/config-core").ConfigManager<AiqConfig>} AgentConfigManager */
/** @typedef {import("@aiq/config-core").ConfigStatus} ConfigStatus */
/** @typedef {import("@aiq/config-core").Logger} Logger */
/** @typedef {import("@aiq/config-events").EventManager} EventManager */
/** @typedef {import("@aiq/config-watcher").AutoReloadHandle} AutoReloadHandle */
/** @typedef {import("@aiq/config-watcher").RunnerConnection} RunnerConnection */

/** The name of the LLM (under `llms`) the service talks to. */
export const MAIN_LLM = "main_llm";

/**
 * A stand-in for a real LLM client (an OpenAI / NIM SDK object): built from one `llms` entry,
 * immutable, and expensive enough in real life that it is rebuilt only when its settings change.
 * @typedef {object} LlmClient
 * @property {number} generation - 1 for the client built at start, +1 per rebuild
 * @property {string} type - the entry's `_type` (`nim`, `openai`, ...)
 * @property {string} model - the entry's `model_name` (or `model`)
 * @property {number} temperature - the entry's `temperature` (0 when unset)
 * @property {number | undefined} maxTokens - the entry's `max_tokens`
 * @property {(prompt: string) => string} complete - a fake completion that shows the settings in use
 */

/**
 * What happened on one reload, as `onReload` listeners are told.
 * @typedef {{ ok: true, version: number, changedPaths: readonly string[], rebuilt: boolean, client: LlmClient }
 *   | { ok: false, version: number, code: string | undefined, message: string,
 *       issues: readonly { path: string, message: string, file?: string, line?: number, column?: number }[] }} ReloadReport
 */

/**
 * Options of {@link createAgentService}.
 * @typedef {object} AgentServiceOptions
 * @property {EventManager} [events] - the bus the manager and its watcher emit on (default: the process-wide one)
 * @property {Logger} [logger] - where the manager and the watcher log (default: warnings on stderr)
 * @property {number} [debounceMs] - the watcher's debounce (default: the watcher's own)
 * @property {boolean} [usePolling] - poll instead of native file events
 * @property {"auto" | "none"} [reload] - "auto" (default): under `aiq-config run` the runner hands
 *   each valid save over (`connectRunner`), else the file is watched (`autoReload`); "none": never
 *   reload in place (under `aiq-config run`, the runner restarts the process instead)
 */

/**
 * The running service; also `AsyncDisposable` (`await using service = ...` where supported).
 * @typedef {AgentServiceMembers & AsyncDisposable} AgentService
 */

/**
 * @typedef {object} AgentServiceMembers
 * @property {AgentConfigManager} manager - the config manager (for status, snapshots, tests)
 * @property {EventManager} events - the bus the manager emits on
 * @property {AutoReloadHandle | undefined} reloading - the running autoReload, when the file is watched
 * @property {RunnerConnection | undefined} runner - the connection to `aiq-config run`, when handed saves by it
 * @property {LlmClient} client - the current LLM client
 * @property {number} rebuilds - how many times the client was rebuilt since start
 * @property {() => Promise<void>} ready - resolves once saves are being watched
 * @property {() => Promise<void>} idle - resolves once no reload is running or queued
 * @property {(listener: (report: ReloadReport) => void) => () => void} onReload - told about every reload; returns unsubscribe
 * @property {() => ServiceDescription} describe - plain data about the service, safe to print
 * @property {() => Promise<void>} close - stops watching, closes the manager; idempotent
 */

/**
 * @typedef {object} ServiceDescription
 * @property {string} configPath
 * @property {number} version
 * @property {number} reloadCount
 * @property {number} rebuilds
 * @property {{ type: string, model: string, temperature: number, generation: number }} llm
 * @property {string[]} functions
 * @property {string | undefined} lastError
 * @property {boolean} closed
 */

/**
 * Builds the LLM client of one `llms` entry.
 * @param {Readonly<Record<string, unknown>>} settings - `config.llms.main_llm`
 * @param {number} generation - its generation number
 * @returns {LlmClient}
 */
export function buildLlmClient(settings, generation) {
  const type = typeof settings._type === "string" ? settings._type : "unknown";
  const model = String(settings.model_name ?? settings.model ?? "unknown");
  const temperature = typeof settings.temperature === "number" ? settings.temperature : 0;
  const maxTokens = typeof settings.max_tokens === "number" ? settings.max_tokens : undefined;
  return Object.freeze({
    generation,
    type,
    model,
    temperature,
    maxTokens,
    complete: (prompt) => `[${model} @ temperature ${temperature}] ${prompt}`,
  });
}

/**
 * The `llms.main_llm` entry of a config.
 * @param {Readonly<AiqConfig>} config
 * @returns {Readonly<Record<string, unknown>> | undefined}
 */
function mainLlmOf(config) {
  return config.llms?.[MAIN_LLM];
}

/**
 * Starts the service on a config file: loads and validates it (throws `ConfigReloadError` /
 * `ConfigValidationError` if it cannot), builds the LLM client, and reloads on every save. The
 * client is rebuilt only when something under `llms` changed; any other change (functions,
 * workflow) is picked up by the next request without touching it. An invalid save keeps the last
 * good config and client (`manager.status.lastError` says why). It resolves once the file is
 * being watched, so a save made after that is always reloaded.
 * @param {string} configPath - a `.yml`, `.yaml` or `.json` config file
 * @param {AgentServiceOptions} [options]
 * @returns {Promise<AgentService>}
 */
export async function createAgentService(configPath, options = {}) {
  /** @type {AgentConfigManager} */
  const manager = await createConfigManager(configPath, {
    ...(options.events ? { events: options.events } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });

  const initial = mainLlmOf(manager.currentConfig);
  if (!initial) {
    await manager.close();
    throw new Error(`${configPath}: the service needs an LLM at llms.${MAIN_LLM}`);
  }
  let client = buildLlmClient(initial, 1);
  let rebuilds = 0;
  /** @type {Set<(report: ReloadReport) => void>} */
  const reloadListeners = new Set();
  let rebuiltAt = 0;

  /** @param {ReloadReport} report */
  const report = (report) => {
    for (const listener of reloadListeners) {
      try {
        listener(report);
      } catch {
        // A listener of the example app must not break the service.
      }
    }
  };

  // Subscribed first, so by the time any later listener runs the client is already rebuilt.
  const unsubscribeLlms = manager.subscribe("llms", (config, change) => {
    const settings = mainLlmOf(config);
    // The schema allows removing main_llm; the service then keeps the client it has.
    if (!settings) return;
    rebuilds++;
    rebuiltAt = change.version;
    client = buildLlmClient(settings, client.generation + 1);
  });
  const unsubscribeAll = manager.subscribe((_config, change) => {
    report({
      ok: true,
      version: change.version,
      changedPaths: change.changedPaths,
      rebuilt: rebuiltAt === change.version,
      client,
    });
  });
  // Reloads that change nothing (a comment edited) and failed reloads call no listener: the bus has them.
  // (A new version always has changed paths, and is reported by the listener above.)
  const unregister = manager.events.registerHandler((event) => {
    if (!("sourceId" in event) || event.sourceId !== manager.source.id) return;
    if (event.type === ConfigEventType.CONFIG_RELOAD_FAILED) {
      report({
        ok: false,
        version: event.version,
        code: event.error?.code,
        message: event.error?.message ?? "unknown error",
        issues: event.error?.issues ?? [],
      });
    } else if (event.type === ConfigEventType.CONFIG_RELOADED && (event.changedPaths?.length ?? 0) === 0) {
      report({ ok: true, version: event.version, changedPaths: [], rebuilt: false, client });
    }
  });

  /** @type {AutoReloadHandle | undefined} */
  let reloading;
  /** @type {RunnerConnection | undefined} */
  let runner;
  try {
    // Under `aiq-config run`: the runner validates each save and hands it over; else: watch the file.
    runner = options.reload === "none" ? undefined : connectRunner(manager);
    if (!runner && options.reload !== "none") {
      reloading = autoReload(manager, {
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
        ...(options.usePolling === undefined ? {} : { usePolling: options.usePolling }),
      });
    }
    // From here on every save is seen (and one made since the first read was caught up with).
    await (reloading ? reloading.ready() : runner?.ready);
  } catch (error) {
    unregister();
    await manager.close();
    throw error;
  }

  /** @type {Promise<void> | undefined} */
  let closing;

  /** @type {AgentService} */
  const service = {
    manager,
    events: manager.events,
    reloading,
    runner,
    get client() {
      return client;
    },
    get rebuilds() {
      return rebuilds;
    },
    ready: async () => {
      await (reloading ? reloading.ready() : runner?.ready);
    },
    idle: async () => {
      await reloading?.done;
    },
    onReload(listener) {
      reloadListeners.add(listener);
      return () => reloadListeners.delete(listener);
    },
    describe() {
      const config = manager.currentConfig;
      const status = manager.status;
      return {
        configPath: manager.source.id,
        version: status.version,
        reloadCount: status.reloadCount,
        rebuilds,
        llm: { type: client.type, model: client.model, temperature: client.temperature, generation: client.generation },
        functions: Object.keys(config.functions ?? {}),
        lastError: status.lastError ? `${status.lastError.code}: ${status.lastError.message}` : undefined,
        closed: status.closed,
      };
    },
    close() {
      closing ??= (async () => {
        reloadListeners.clear();
        unregister();
        unsubscribeAll();
        unsubscribeLlms();
        try {
          await reloading?.stop();
        } finally {
          await manager.close();
        }
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return service.close();
    },
  };
  return service;
}
