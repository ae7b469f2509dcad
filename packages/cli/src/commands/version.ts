import { Command } from "../clipanion.js";

/** `aiq-config --version`: prints the version (`-v` is `--verbose`, so clipanion's builtin is not used). */
export class VersionCommand extends Command {
  static override paths = [["--version"]];

  async execute(): Promise<number> {
    this.context.stdout.write(`${this.cli.binaryVersion ?? "unknown"}\n`);
    return 0;
  }
}
