import * as path from "node:path";
import { Command, Option } from "../clipanion.js";
import { displayPath } from "../format.js";
import { formatSummary, summarizeConfig } from "../summary.js";
import { EtcdCommand } from "./etcd-base.js";

/** `aiq-config -c FILE reload [--validate-only]`: loads and validates the file (or etcd key) once and prints its summary. */
export class ReloadCommand extends EtcdCommand {
  static override paths = [["reload"]];

  static override usage = Command.Usage({
    description: "Load and validate a config file once and print its summary",
    details: `
      Reads the file given with \`-c\`, applies the \`-o\` overrides, validates the result and prints how many LLMs, tools and workflows it holds. This is the one-shot form of the toolkit's \`manual_reload_trigger\`.

      Exits 0 when the config is valid, 1 when it is not (every issue is printed as \`file:line:column path: message\`), 2 for a usage error.
    `,
    examples: [
      ["Reload a config and print its summary", "$0 -c config.yml reload"],
      ["Only check that the config is valid", "$0 -c config.yml reload --validate-only"],
      ["Check it with a value overridden", "$0 -c config.yml reload -o llms.main_llm.temperature=0.2"],
      ["Machine-readable output for CI", "$0 -c config.yml reload --validate-only --json"],
      ["Log each step with its duration", "$0 -c config.yml -v reload"],
      [
        "Check the config stored in etcd",
        "$0 reload --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml --validate-only",
      ],
    ],
  });

  validateOnly = Option.Boolean("--validate-only", false, {
    description: "Validate without applying (nothing is kept)",
  });

  protected async run(): Promise<number> {
    if (this.requireOneSource() === "etcd") return this.#reloadEtcd();
    const file = this.requireConfigPath();
    const overrides = await this.overrideMap();
    const logger = this.createLogger();
    const { reloadConfig } = await import("@aiq/config-loader");
    const config = await reloadConfig(file, {
      validateOnly: this.validateOnly,
      overrides,
      logger,
      env: this.context.env,
      strictKeys: this.strictKeys,
    });
    return this.#report(config, overrides, { file: path.resolve(file) }, displayPath(path.resolve(file)));
  }

  async #reloadEtcd(): Promise<number> {
    const { manager, close } = await this.openManager({ logger: this.createLogger() });
    try {
      const { sourceRevision: revision, sourceId } = manager.status;
      return await this.#report(
        manager.currentConfig,
        manager.configOverrides,
        { key: this.key, revision },
        `${sourceId} (revision ${revision})`,
      );
    } finally {
      await close();
    }
  }

  async #report(
    config: unknown,
    overrides: Readonly<Record<string, string>>,
    where: Record<string, unknown>,
    shownWhere: string,
  ): Promise<number> {
    const summary = summarizeConfig(config);
    const { describeOverrides, redactOverrides } = await import("../overrides.js");
    if (this.json) {
      this.printJson({
        ok: true,
        ...where,
        validateOnly: this.validateOnly,
        summary,
        overrides: redactOverrides(overrides),
      });
      return 0;
    }
    const headline = this.validateOnly ? "Config is valid (validated only, nothing applied)" : "Config reloaded";
    const lines = [`${this.out.green(headline)}: ${shownWhere}`, ...formatSummary(summary).map((l) => `  ${l}`)];
    const shown = describeOverrides(overrides);
    if (shown.length > 0) lines.push(`  Overrides: ${shown.join(", ")}`);
    this.print(...lines);
    return 0;
  }
}
