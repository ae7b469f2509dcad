import { ConfigReloadError } from "./errors.js";
import type { Logger } from "./logger.js";
import { type Resolved, type ResolveConfigOptions, resolveDocument } from "./pipeline.js";
import { readDocument } from "./read-document.js";
import type { SecretKeyPattern } from "./redact.js";
import type { Pause } from "./share.js";
import type { ConfigSource, SourceDocument } from "./types.js";

// From this size a document's remaining steps (resolve, then the commit) each start in a turn of the
// event loop of their own, so a large reload never stalls the program in one piece.
const YIELD_FROM_BYTES = 32 * 1024;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
// Within a step, the walks of a large document (sharing, freezing) hand the loop back once they
// have held it this long.
const SLICE_MS = 8;

/** A pause that hands the event loop back only once SLICE_MS have passed since it last did. */
function slices(): Pause {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await nextTurn();
    since = performance.now();
  };
}

const isLarge = (document: SourceDocument): boolean => (document.size ?? 0) >= YIELD_FROM_BYTES;

/** What a manager's read works with: its source and options, and what it holds now. */
export interface ReadContext<T> {
  source: ConfigSource;
  /** Refuses a document right after the read (code `SUPERSEDED`); see `ReloadOptions.accept`. */
  accept?: ((document: SourceDocument) => boolean) | undefined;
  /** Aborts the read (the caller's signal, or the manager closing). */
  signal: AbortSignal;
  /** The document and config held now (none before the first read). */
  previous: { document: SourceDocument | undefined; config: Readonly<T> | undefined };
  secretKeys: readonly SecretKeyPattern[];
  options: ResolveConfigOptions<T>;
  logger: Logger;
}

/**
 * Reads the source and resolves it (overrides, validation, freeze), saying its warnings and notices
 * on the logger and, at debug level, how long each part took. Changes nothing.
 * @param step `initial` (the overrides' warnings are said then, once; `setOverrides` says them for a new set) or `reload`
 * @returns the document read and what it resolved to
 */
export async function readAndResolve<T>(
  step: "initial" | "reload",
  context: ReadContext<T>,
): Promise<{ document: SourceDocument; resolved: Resolved<T> }> {
  const { source, logger, previous } = context;
  const started = performance.now();
  const document = await readDocument(source, context.signal, {
    previous: previous.document,
    secretKeys: context.secretKeys,
    pause: (read) => (isLarge(read) ? slices() : undefined),
  });
  if (context.accept && !context.accept(document))
    throw new ConfigReloadError(
      "SUPERSEDED",
      `${source.id} changed after it was last seen; the read is dropped for the newer content`,
      { sourceId: source.id },
    );
  const read = performance.now();
  for (const warning of document.warnings ?? []) logger.warn(warning);
  const large = isLarge(document);
  if (large) await nextTurn();
  const resolved = large
    ? await resolveDocument(document, context.options, previous.config, nextTurn, slices())
    : await resolveDocument(document, context.options, previous.config);
  if (large) await nextTurn();
  if (step === "initial") for (const warning of resolved.warnings) logger.warn(warning);
  for (const notice of resolved.notices) logger.warn(notice);
  logger.debug(
    `${step} ${source.id}: read+parse ${ms(read - started)}, overrides+validate+freeze ${ms(performance.now() - read)}`,
  );
  return { document, resolved };
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}
