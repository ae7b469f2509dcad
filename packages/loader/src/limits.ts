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
 * Size from which a file is parsed in a worker thread rather than on the event loop: 32 KiB.
 * Measured (bench/README.md, issue 14; 2 cores under load): parsing on the event loop stalls it
 * about 1.2 ms per KiB (11 ms at 16 KiB, 77 ms at 64 KiB), while the trip to the worker adds some
 * 20 ms to a read whatever the size. From 32 KiB (a 40 ms stall) the worker costs less than the
 * stall it saves; a typical config (a few KiB) stays on the calling thread, as fast as before.
 */
export const DEFAULT_WORKER_THRESHOLD = 32 * 1024;
