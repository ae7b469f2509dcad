/** Largest file read, in bytes: 10 MiB. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Deepest nesting of collections accepted. yaml's composer recurses per level and overflows the
 * stack around 800 flow levels on Node's default stack (and V8 may abort the whole process, not
 * throw, when a RegExp is compiled at the stack limit), so the bound is checked on the iteratively
 * built token tree, well below that. Real AIQ configs are under 10 levels deep.
 */
export const DEFAULT_MAX_DEPTH = 256;

/** Alias expansions accepted per document (yaml's own default). */
export const DEFAULT_MAX_ALIAS_COUNT = 100;

/** Longest `base:` chain (a file, its base, the base's base...). */
export const MAX_BASE_CHAIN = 32;

/**
 * Size from which a file is parsed in a worker thread rather than on the event loop: 64 KiB. Below
 * it, parsing takes a few milliseconds, less than the trip to the worker and back costs in latency;
 * above it, the stall grows with the file (about 1 ms per 2 KiB of YAML on an idle core), see
 * bench/README.md (issue 14).
 */
export const DEFAULT_WORKER_THRESHOLD = 64 * 1024;
