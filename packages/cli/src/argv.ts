/** Options that take a value and may be written before the subcommand. */
const VALUED = new Set(["-c", "--config", "-o", "--override", "--etcd", "--key", "--user"]);
/** Flags that may be written before the subcommand. */
const FLAGS = new Set(["-v", "--verbose", "--json"]);

function isGlobalOption(token: string): "valued" | "flag" | "inline" | undefined {
  if (VALUED.has(token)) return "valued";
  if (FLAGS.has(token)) return "flag";
  const eq = token.indexOf("=");
  if (eq > 0 && VALUED.has(token.slice(0, eq))) return "inline";
  return undefined;
}

/**
 * Moves options written before the subcommand (`aiq-config -c config.yml -v reload`) after it, where
 * clipanion parses options, so `-c` works on either side. Anything else is left as it is, and clipanion
 * reports it.
 * @param argv the arguments after the binary name
 * @param commands the subcommand names
 * @returns the arguments with the subcommand first
 */
export function normalizeArgv(argv: readonly string[], commands: ReadonlySet<string>): string[] {
  const moved: string[] = [];
  let i = 0;
  for (let token = argv[i]; token !== undefined; token = argv[i]) {
    const kind = isGlobalOption(token);
    if (kind === undefined) break;
    if (kind === "valued") {
      const value = argv[i + 1];
      if (value === undefined) break;
      moved.push(token, value);
      i += 2;
    } else {
      moved.push(token);
      i += 1;
    }
  }
  const command = argv[i];
  if (moved.length === 0 || command === undefined || !commands.has(command)) return [...argv];
  return [command, ...moved, ...argv.slice(i + 1)];
}
