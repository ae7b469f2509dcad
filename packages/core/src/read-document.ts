import { ConfigReloadError, isConfigError } from "./errors.js";
import { nestedTooDeeply } from "./pipeline.js";
import type { SecretKeyPattern } from "./redact.js";
import { deepFreeze, deepFreezeInSlices, type Pause, shareInSlices, shareStructure } from "./share.js";
import type { ConfigSource, SourceDocument } from "./types.js";

/**
 * Reads a source (see {@link readSource}) and freezes the new document's data, sharing its
 * unchanged parts with the `previous` document, so snapshots and the config (aligned with the
 * document in resolveDocument) hold each unchanged subtree once. With `pause` (a large document),
 * both walks hand the event loop back between subtrees.
 */
export async function readDocument(
  source: ConfigSource,
  signal: AbortSignal,
  options: {
    previous: SourceDocument | undefined;
    secretKeys: readonly SecretKeyPattern[];
    pause?: ((document: SourceDocument) => Pause | undefined) | undefined;
  },
): Promise<SourceDocument> {
  const document = await readSource(source, signal);
  const { previous, secretKeys } = options;
  const pause = options.pause?.(document);
  try {
    if (pause === undefined)
      return { ...document, data: deepFreeze(shareStructure(previous?.data, document.data), secretKeys) };
    const shared = await shareInSlices(previous?.data, document.data, pause);
    return { ...document, data: await deepFreezeInSlices(shared, secretKeys, pause) };
  } catch (error) {
    // Both recurse: a source other than the loader can hand over a document too deep for that.
    if (error instanceof RangeError) throw nestedTooDeeply(source.id);
    throw error;
  }
}

/**
 * Reads a source, turning whatever a source throws into a `ConfigReloadError`: its own config
 * errors pass through, an abort is `ABORTED`, anything else is `READ_FAILED` with the cause kept.
 */
async function readSource(source: ConfigSource, signal: AbortSignal): Promise<SourceDocument> {
  try {
    return await source.read(signal);
  } catch (error) {
    if (isConfigError(error)) throw error;
    if (signal.aborted)
      throw new ConfigReloadError("ABORTED", `Reading ${source.id} was aborted.`, {
        cause: error,
        sourceId: source.id,
      });
    throw new ConfigReloadError(
      "READ_FAILED",
      `Reading ${source.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
        sourceId: source.id,
      },
    );
  }
}
