import { Command } from "../clipanion.js";
import { AiqCommand } from "./base.js";

/** `aiq-config schema`: prints the JSON Schema of the default config, for editors. */
export class SchemaCommand extends AiqCommand {
  static override paths = [["schema"]];

  static override usage = Command.Usage({
    description: "Print the JSON Schema of an AIQ config, for editors",
    details: `
      Prints the JSON Schema (draft-07) of the config aiq-config validates by default, so that an editor can complete and check config files as you type. Save it beside your configs and point the YAML language server at it with a first line \`# yaml-language-server: $schema=./aiq-config.schema.json\`.

      The output is JSON with or without \`--json\`. Checks that JSON Schema cannot express (custom checks) are left out; \`aiq-config reload --validate-only\` applies them all.
    `,
    examples: [
      ["Save the schema for an editor", "$0 schema > aiq-config.schema.json"],
      ["Print it", "$0 schema"],
    ],
  });

  protected async run(): Promise<number> {
    const { createConfigJsonSchema } = await import("../json-schema.js");
    this.context.stdout.write(`${JSON.stringify(await createConfigJsonSchema(), null, 2)}\n`);
    return 0;
  }
}
