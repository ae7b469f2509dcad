export { ConfigWatcher, DEFAULT_BURST_DEBOUNCE_MS, DEFAULT_DEBOUNCE_MS } from "./config-watcher.js";
export type { ConfigWatcherOptions, FileWatcher } from "./types.js";
export { isEditorTempFile } from "./editor-files.js";
export { resolveWatchMode } from "./watch-mode.js";
export { autoReload } from "./auto-reload.js";
export type { AutoReloadHandle, AutoReloadOptions, ReloadableManager } from "./auto-reload.js";
