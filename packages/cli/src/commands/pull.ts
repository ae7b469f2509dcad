import { Command, Option, UsageError } from "../clipanion.js";
import { EtcdCommand } from "./etcd-base.js";

/** `aiq-config pull --etcd URL --key K [--revision R]`: prints the stored value as it is. */
export class PullCommand extends EtcdCommand {
  static override paths = [["pull"]];

  static override usage = Command.Usage({
    description: "Print the config stored in an etcd key, as it was pushed",
    details: `
      Prints the key's value on stdout as stored (\`\${VAR}\` placeholders unresolved, so no secret a process fills in is shown; a secret stored as it is, which \`push\` refuses but another client may have put, is printed as \`***\`) and \`revision M\` on stderr, M being that value's revision (\`mod_revision\`): push an edited copy with \`--expect-revision M\` so that a change made meanwhile is not overwritten. \`--revision R\` reads the key as it was at revision R (what \`push --from-revision R\` would write back).

      With \`--json\`: \`{ key, revision, value }\` on stdout. Exit codes: 0, 1 the key does not exist (at that revision), 2 usage, 4 etcd cannot be reached.
    `,
    examples: [
      [
        "Save the fleet's config to edit it",
        "$0 pull --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml > config.yml",
      ],
      ["See what revision 40 held", "$0 pull --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml --revision 40"],
      ["As JSON", "$0 pull --etcd http://127.0.0.1:2379 --key aiq/prod/agent.yml --json"],
    ],
  });

  revision = Option.String("--revision", { description: "Read the key as it was at revision R" });

  protected async run(): Promise<number> {
    if (this.config !== undefined || this.overrides.length > 0)
      throw new UsageError("pull reads etcd only: drop -c and -o.");
    const target = await this.etcdTarget();
    if (this.revision !== undefined && !/^[1-9][0-9]*$/.test(this.revision))
      throw new UsageError(`--revision takes a revision number (got "${this.revision}").`);
    const [{ getEtcdValue }, { ConfigReloadError }, { redactStoredValue }] = await Promise.all([
      import("@aiq/config-etcd"),
      import("@aiq/config-core"),
      import("../etcd-value.js"),
    ]);
    const found = await getEtcdValue({ ...target, revision: this.revision });
    if (found === undefined) {
      const when = this.revision === undefined ? "" : ` at revision ${this.revision}`;
      throw new ConfigReloadError("ENOENT", `${target.key} does not exist in etcd${when}.`, {
        sourceId: `etcd:${target.key}`,
      });
    }
    const value = redactStoredValue({
      text: found.value,
      filename: `etcd:${target.key}@${found.revision}`,
      key: target.key,
    });
    if (this.json) {
      this.printJson({ key: target.key, revision: found.revision, value });
      return 0;
    }
    this.context.stdout.write(value);
    this.context.stderr.write(`revision ${found.revision}\n`);
    return 0;
  }
}
