import { Command, Option, UsageError } from "../clipanion.js";
import type { ConfigText } from "../etcd-value.js";
import { EtcdCommand, type EtcdTarget } from "./etcd-base.js";

const REVISION = /^[1-9][0-9]*$/;

/** How a push compares before it writes: on a revision, on the key being absent, or not at all (`--force`). */
type Compare = { expectRevision: string } | { create: true } | Record<string, never>;

/** What a push did, as `--json` prints it. */
interface PushResult {
  ok: true;
  key: string;
  /** The key's revision now: the new one, or the current one when nothing was written. */
  revision: string | null;
  /** The revision the write replaced (`null` when the key was absent or with `--force`). */
  previousRevision: string | null;
  created: boolean;
  unchanged: boolean;
  dryRun: boolean;
  bytes: number;
  fromRevision?: string;
}

/** `aiq-config -c FILE push --etcd URL --key K`: validates a config and writes it to etcd with a compare-and-swap. */
export class PushCommand extends EtcdCommand {
  static override paths = [["push"]];

  static override usage = Command.Usage({
    description: "Validate a config and write it to an etcd key for a whole fleet",
    details: `
      Validates the file given with \`-c\` first, as every process of the fleet will (an invalid file: exit 1, nothing is written), refuses it unsent when it is over \`--max-bytes\` (1 MiB), then writes its text as it is (\`\${VAR}\` placeholders unresolved: each process fills them from its own environment, so secrets stay out of etcd) with a compare-and-swap on the key's revision (\`mod_revision\`). Prints \`revision R\` on stdout, R being the key's new revision.

      Without \`--expect-revision\`, push reads the key's revision and compares on it (an absent key is created): that refuses only a write landing between the read and the write. Give \`--expect-revision R\` (the revision \`pull\` printed when you started editing) to refuse a push over any change made since R. \`--create\` writes only when the key is absent; \`--force\` writes whatever the key holds (no compare; still validated). A value equal to the one stored is not written again (unless \`--force\`). A secret written as it is (a value under \`api_key\`, \`*_key\`, \`token\`, \`password\`, \`secret\`...) is refused: write a \`\${VAR}\` placeholder.

      \`--from-revision R\` (instead of \`-c\`) pushes the value the key held at revision R: a fleet-wide rollback. It is validated again and written with the same compare-and-swap.

      Exit codes: 0 written (or unchanged), 1 invalid or too large (nothing written), 2 usage, 3 another writer came first (the message names the key's current revision), 4 etcd cannot be reached. Credentials: \`--user\` or AIQ_ETCD_USER, with AIQ_ETCD_PASSWORD.
    `,
    examples: [
      ["Push a config", "$0 -c config.yml push --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml"],
      [
        "Push only over the revision you pulled",
        "$0 -c config.yml push --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml --expect-revision 42",
      ],
      [
        "Create the key (fails if it exists)",
        "$0 -c config.yml push --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml --create",
      ],
      [
        "Check what a push would do, writing nothing",
        "$0 -c config.yml push --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml --dry-run",
      ],
      [
        "Validate with the services' own schema",
        "$0 -c config.yml push --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml --schema ./src/schema.mjs#configSchema",
      ],
      [
        "Roll the fleet back to the value of revision 40",
        "$0 push --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml --from-revision 40",
      ],
      [
        "As an etcd user",
        "AIQ_ETCD_PASSWORD=... $0 -c config.yml push --etcd https://etcd:2379 --ca ca.pem --user deployer --key aiq/prod/agent.yml",
      ],
    ],
  });

  expectRevision = Option.String("--expect-revision", {
    description: "Write only if the key is still at revision R (else exit 3)",
  });
  create = Option.Boolean("--create", false, { description: "Write only if the key does not exist yet (else exit 3)" });
  force = Option.Boolean("--force", false, {
    description: "Write whatever the key holds now: no compare-and-swap (the value is still validated)",
  });
  dryRun = Option.Boolean("--dry-run", false, {
    description: "Validate and check the compare against etcd, write nothing",
  });
  fromRevision = Option.String("--from-revision", {
    description: "Push the value the key held at revision R (a fleet rollback), in place of -c",
  });
  maxBytes = Option.String("--max-bytes", {
    description: "Largest value pushed, in bytes (default 1048576, the fleet's maxBytes)",
  });
  schema = Option.String("--schema", {
    description: "MODULE[#export]: the fleet's own Standard Schema to validate with (default: the AIQ schema)",
  });

  protected async run(): Promise<number> {
    const target = await this.etcdTarget();
    const compare = this.#compareOption();
    if (this.overrides.length > 0)
      throw new UsageError("push writes the file as it is: -o overrides are not pushed (each process sets its own).");
    if (this.fromRevision !== undefined && this.config !== undefined)
      throw new UsageError("Give either -c FILE or --from-revision R to push, not both.");
    if (this.fromRevision !== undefined && !REVISION.test(this.fromRevision))
      throw new UsageError(`--from-revision takes a revision number (got "${this.fromRevision}").`);
    if (this.fromRevision === undefined && (this.config === undefined || this.config === "")) {
      throw new UsageError(
        "Missing what to push: add -c FILE (or --from-revision R to push an earlier value), e.g. `aiq-config -c config.yml push --etcd URL --key K`.",
      );
    }
    const [etcd, values] = await Promise.all([import("@aiq/config-etcd"), import("../etcd-value.js")]);
    const maxBytes = this.#maxBytes(etcd.DEFAULT_ETCD_MAX_BYTES);
    const value =
      this.fromRevision === undefined
        ? await values.readPushFile(this.config as string, maxBytes, target.key)
        : await this.#valueAt({ ...target, maxBytes }, this.fromRevision);
    values.checkValueSize(value, maxBytes);
    values.refuseLiteralSecrets(value);
    const schema =
      this.schema === undefined
        ? undefined
        : await (await import("../schema-module.js")).loadSchemaModule(this.schema, process.cwd());
    const logger = this.createLogger();
    await values.validateValue(value, {
      env: this.context.env,
      maxBytes,
      strictKeys: this.strictKeys,
      logger,
      schema,
    });

    const bytes = Buffer.byteLength(value.text, "utf8");
    const base = {
      ok: true as const,
      key: target.key,
      bytes,
      ...(this.fromRevision === undefined ? {} : { fromRevision: this.fromRevision }),
    };
    const plan = await this.#plan(target, compare, value.text);
    if (plan.unchanged !== undefined) {
      return this.#report({
        ...base,
        revision: plan.unchanged,
        previousRevision: plan.unchanged,
        created: false,
        unchanged: true,
        dryRun: this.dryRun,
      });
    }
    const created = "create" in plan.compare;
    if (this.dryRun) {
      return this.#report({
        ...base,
        revision: null,
        previousRevision: plan.previous ?? null,
        created,
        unchanged: false,
        dryRun: true,
      });
    }
    const { revision } = await etcd.putEtcdValue({ ...target, maxBytes, value: value.text, ...plan.compare });
    return this.#report({
      ...base,
      revision,
      previousRevision: plan.previous ?? null,
      created,
      unchanged: false,
      dryRun: false,
    });
  }

  #compareOption(): Compare | undefined {
    const given = [
      this.expectRevision !== undefined && "--expect-revision",
      this.create && "--create",
      this.force && "--force",
    ].filter(Boolean);
    if (given.length > 1) throw new UsageError(`${given.join(" and ")} exclude each other: give one.`);
    if (this.expectRevision !== undefined) {
      if (!REVISION.test(this.expectRevision))
        throw new UsageError(
          `--expect-revision takes a revision number, as \`pull\` prints it (got "${this.expectRevision}").`,
        );
      return { expectRevision: this.expectRevision };
    }
    if (this.create) return { create: true };
    if (this.force) return {};
    return undefined;
  }

  #maxBytes(defaultBytes: number): number {
    if (this.maxBytes === undefined) return defaultBytes;
    const bytes = Number(this.maxBytes);
    if (!Number.isInteger(bytes) || bytes <= 0)
      throw new UsageError(`--max-bytes takes a whole number of bytes > 0 (got "${this.maxBytes}").`);
    return bytes;
  }

  async #valueAt(target: EtcdTarget & { maxBytes: number }, revision: string): Promise<ConfigText> {
    const { getEtcdValue } = await import("@aiq/config-etcd");
    const found = await getEtcdValue({ ...target, revision });
    if (found === undefined) {
      throw new UsageError(
        `${target.key} held no value at revision ${revision}; \`aiq-config pull --etcd URL --key ${target.key} --revision R\` shows what a revision held.`,
      );
    }
    return { text: found.value, filename: `etcd:${target.key}@${found.revision}`, key: target.key };
  }

  /**
   * Decides the compare-and-swap. Without an explicit one, reads the key: its revision is compared
   * on (absent: created), and a value equal to the stored one is not written again. A dry run checks
   * an explicit compare against the key too, so it fails where the push would.
   */
  async #plan(
    target: EtcdTarget,
    explicit: Compare | undefined,
    text: string,
  ): Promise<{ compare: Compare; previous?: string; unchanged?: string }> {
    if (explicit && !this.dryRun)
      return { compare: explicit, ...("expectRevision" in explicit ? { previous: explicit.expectRevision } : {}) };
    const { getEtcdValue } = await import("@aiq/config-etcd");
    const current = await getEtcdValue(target);
    if (explicit) {
      const { ConfigReloadError } = await import("@aiq/config-core");
      const now = current ? `it is at revision ${current.revision}` : "it does not exist";
      if ("expectRevision" in explicit && current?.revision !== explicit.expectRevision) {
        throw new ConfigReloadError(
          "CONFLICT",
          `${target.key} is no longer at revision ${explicit.expectRevision}: ${now}.`,
        );
      }
      if ("create" in explicit && current)
        throw new ConfigReloadError("CONFLICT", `${target.key} exists already: ${now}.`);
      return { compare: explicit, ...(current ? { previous: current.revision } : {}) };
    }
    if (!current) return { compare: { create: true } };
    if (current.value === text) return { compare: {}, previous: current.revision, unchanged: current.revision };
    return { compare: { expectRevision: current.revision }, previous: current.revision };
  }

  #report(result: PushResult): number {
    if (this.json) {
      this.printJson(result);
      return 0;
    }
    const what =
      result.fromRevision === undefined ? (this.config as string) : `the value of revision ${result.fromRevision}`;
    const was =
      result.previousRevision === null
        ? result.created
          ? "created the key"
          : "no compare"
        : `was revision ${result.previousRevision}`;
    let line: string;
    if (result.unchanged) line = `${result.key} already holds ${what} (revision ${result.revision}); nothing written.`;
    else if (result.dryRun)
      line = `Dry run: ${what} is valid (${result.bytes} bytes) and would be written to ${result.key} (${was}); nothing written.`;
    else line = `${this.err.green("Pushed")} ${what} to ${result.key} (${result.bytes} bytes; ${was}).`;
    this.context.stderr.write(`${line}\n`);
    if (result.revision !== null) this.print(`revision ${result.revision}`);
    return 0;
  }
}
