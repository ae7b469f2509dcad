// Names editors and tools give their temporary, swap and backup files. A watched file never
// matches (its own name is checked first); these only keep the watcher from doing work for them.
const TEMP_FILE_PATTERNS: readonly RegExp[] = [
  /\.tmp/i, // atomic-rename temp files: `config.yml.tmp`, `config.yml.tmp-1a2b`, `.tmp.1234`
  /~$/, // vim/emacs backups: `config.yml~`
  /^\.?#/, // emacs lock and autosave files: `.#config.yml`, `#config.yml#`
  /\.sw[a-p]$/i, // vim swap files: `.config.yml.swp`, `.swo`, ...
  /___jb_(tmp|old|bak)___$/, // JetBrains safe write
  /^4913$/, // vim's probe file, written to test that the directory is writable
  /\.(bak|orig|crswap)$/i, // backups; Chrome's File System Access swap file
];

/**
 * Tells whether a file name is an editor's temporary, swap or backup file, which the watcher ignores.
 * @param name - a file name (not a path)
 * @returns true for names such as `config.yml.tmp-1a2b`, `config.yml~`, `.config.yml.swp`, `config.yml___jb_tmp___`
 * @example isEditorTempFile("config.yml___jb_old___"); // true
 */
export function isEditorTempFile(name: string): boolean {
  return TEMP_FILE_PATTERNS.some((pattern) => pattern.test(name));
}

/**
 * Tells whether an entry name is one of a Kubernetes ConfigMap volume's hidden entries (`..data`,
 * `..data_tmp`, `..2024_01_02_03_04_05.123`): a change to one may have swapped every file of the directory.
 * @param name - a file name (not a path)
 * @returns true for names starting with `..`
 */
export function isAtomicSwapEntry(name: string): boolean {
  return name.startsWith("..") && name.length > 2;
}
