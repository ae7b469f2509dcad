import { readFile } from "node:fs/promises";
import type { ConfigManager, Logger } from "@aiq/config-core";
import type { EventManager } from "@aiq/config-events";
import { Option, UsageError } from "../clipanion.js";
import { ConfigCommand } from "./base.js";

/** How to reach one etcd key: what `--etcd`, `--key`, `--user`, the TLS files and the environment give. */
export interface EtcdTarget {
  endpoints: string[];
  key: string;
  auth?: { username: string; password: string } | undefined;
  tls?: { ca?: Buffer | undefined; cert?: Buffer | undefined; key?: Buffer | undefined } | undefined;
  startupTimeoutMs: number;
  callTimeoutMs: number;
}

/** A manager opened by a command, and how to close it with whatever it holds open. */
export interface OpenManager {
  manager: ConfigManager;
  close(): Promise<void>;
}

/** A command that reads a config file with `-c` or an etcd key with `--etcd URL --key K`. */
export abstract class EtcdCommand extends ConfigCommand {
  etcd = Option.String("--etcd", {
    description:
      "etcd client URLs, comma-separated, in place of -c (default: AIQ_ETCD_ENDPOINTS): --etcd http://127.0.0.1:2379",
  });
  key = Option.String("--key", {
    description: "The etcd key holding the config: --key aiq/prod/agent.yml (JSON when it ends in .json, else YAML)",
  });
  user = Option.String("--user", {
    description:
      "etcd user (default: AIQ_ETCD_USER); the password comes from AIQ_ETCD_PASSWORD, never from the command line",
  });
  ca = Option.String("--ca", { description: "CA certificate file (PEM) to trust for https:// endpoints" });
  cert = Option.String("--cert", { description: "Client certificate file (PEM), with --cert-key" });
  certKey = Option.String("--cert-key", { description: "The client certificate's private key file (PEM)" });
  timeout = Option.String("--timeout", {
    description: "Milliseconds to wait for etcd before giving up with exit 4 (default 5000)",
  });

  /** True when the command was pointed at etcd (`--etcd` or `--key`) rather than a file. */
  protected get usesEtcd(): boolean {
    return this.etcd !== undefined || this.key !== undefined;
  }

  /** `--etcd`/`--key` in place of `-c`: both at once is a usage error. */
  protected requireOneSource(): "file" | "etcd" {
    if (!this.usesEtcd) return "file";
    if (this.config !== undefined) {
      throw new UsageError(
        `Give either -c FILE or --etcd URL --key K, not both: \`aiq-config ${this.path.join(" ")}\` reads one config.`,
      );
    }
    return "etcd";
  }

  /**
   * The manager over `-c FILE`, or over `--etcd URL --key K` (not watching yet: `watch` attaches
   * `autoReload` or `watchEtcd`). An etcd that cannot be reached is `UNAVAILABLE` (exit 4).
   * @returns the manager and `close()`, which closes it and the etcd connection (a manager closes
   * its etcd source only when `watchEtcd` follows it)
   */
  protected async openManager(options: {
    logger: Logger;
    logFailures?: boolean;
    events?: EventManager;
  }): Promise<OpenManager> {
    const common = { overrides: await this.overrideMap(), strictKeys: this.strictKeys, ...options };
    if (this.requireOneSource() === "file") {
      const { createConfigManager } = await import("@aiq/config-loader");
      const manager = await createConfigManager(this.requireConfigPath(), { ...common, env: this.context.env });
      return { manager, close: () => manager.close() };
    }
    const target = await this.etcdTarget();
    const [{ ConfigManager }, { etcdSource }] = await Promise.all([
      import("@aiq/config-core"),
      import("@aiq/config-etcd"),
    ]);
    const source = etcdSource({ ...target, env: this.context.env });
    try {
      const manager = await ConfigManager.create({ ...common, source });
      return {
        manager,
        close: async () => {
          await manager.close();
          await source.close();
        },
      };
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  /** The etcd endpoints, key, credentials and TLS files; anything missing or malformed is a usage error. */
  protected async etcdTarget(): Promise<EtcdTarget> {
    const env = this.context.env;
    const example = `e.g. \`aiq-config ${this.path.join(" ")} --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml\``;
    const endpoints = (this.etcd ?? env.AIQ_ETCD_ENDPOINTS ?? "")
      .split(",")
      .map((url) => url.trim())
      .filter((url) => url !== "");
    if (endpoints.length === 0)
      throw new UsageError(`Missing the etcd endpoints: add --etcd URL[,URL] or set AIQ_ETCD_ENDPOINTS, ${example}.`);
    for (const url of endpoints) {
      if (!/^https?:\/\/[^/\s]+\/?$/.test(url))
        throw new UsageError(`--etcd takes client URLs such as http://127.0.0.1:2379 (got "${url}").`);
    }
    if (this.key === undefined || this.key === "")
      throw new UsageError(`Missing the etcd key: add --key K, ${example}.`);
    const timeout = this.timeout === undefined ? 5000 : Number(this.timeout);
    if (!Number.isInteger(timeout) || timeout <= 0)
      throw new UsageError(`--timeout takes a whole number of milliseconds > 0 (got "${this.timeout}").`);
    const auth = this.#auth();
    const tls = await this.#tls();
    return {
      endpoints,
      key: this.key,
      auth,
      tls,
      startupTimeoutMs: timeout,
      callTimeoutMs: Math.min(timeout, 3000),
    };
  }

  #auth(): { username: string; password: string } | undefined {
    const env = this.context.env;
    const username = this.user ?? env.AIQ_ETCD_USER;
    const password = env.AIQ_ETCD_PASSWORD;
    if (username === undefined || username === "") {
      if (password)
        throw new UsageError("AIQ_ETCD_PASSWORD is set but no user is given: add --user NAME or set AIQ_ETCD_USER.");
      return undefined;
    }
    // A password on the command line would show in `ps` and in shell history: only the environment.
    if (password === undefined || password === "") {
      throw new UsageError(
        `etcd user "${username}" needs a password: set AIQ_ETCD_PASSWORD (it is never read from the command line).`,
      );
    }
    return { username, password };
  }

  async #tls(): Promise<EtcdTarget["tls"]> {
    if (this.certKey !== undefined && this.cert === undefined)
      throw new UsageError("--cert-key needs --cert (the client certificate).");
    if (this.cert !== undefined && this.certKey === undefined)
      throw new UsageError("--cert needs --cert-key (its private key).");
    const read = async (flag: string, file: string | undefined): Promise<Buffer | undefined> => {
      if (file === undefined) return undefined;
      try {
        return await readFile(file);
      } catch (error) {
        throw new UsageError(
          `Cannot read the ${flag} file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
        );
      }
    };
    const [ca, cert, key] = await Promise.all([
      read("--ca", this.ca),
      read("--cert", this.cert),
      read("--cert-key", this.certKey),
    ]);
    if (!ca && !cert) return undefined;
    return { ca, cert, key };
  }
}
