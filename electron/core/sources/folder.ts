/**
 * A folder of runbooks: every `*.md` / `*.markdown` below it, skipping dot-folders (`.git`,
 * `.obsidian`) and `node_modules`; symbolic links are not followed, so a link loop cannot trap it.
 */
import { type FSWatcher, readdirSync, watch } from 'node:fs';
import { join, relative, sep } from 'node:path';

const RUNBOOK_FILE = /\.(md|markdown)$/i;

function skipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** Whether a change a watcher reports cannot touch a runbook: a skipped folder, or a dot-file
 * (such as the temp file of an atomic write). */
export function isIgnoredChange(name: string): boolean {
  return name.split(/[\\/]/).some(skipped);
}

/**
 * The runbook files under `root` (absolute paths, sorted) and the folders read to find them.
 * Throws when `root` itself cannot be read (gone, unmounted, no permission): the caller must then
 * keep everything, not archive it. A subfolder that cannot be read is skipped.
 */
export function scanFolder(root: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if (dir === root) throw error;
      return;
    }
    dirs.push(dir);
    for (const e of entries) {
      if (skipped(e.name)) continue;
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.isFile() && RUNBOOK_FILE.test(e.name)) files.push(join(dir, e.name));
    }
  };
  walk(root);
  return { files: files.sort(), dirs };
}

/** `a/b.md` for a file under root, with `/` on every platform. */
export function relativeName(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/**
 * Watches a folder tree for changes. On Linux, one (non-recursive) watch per folder: Node's
 * recursive mode there watches every file, `.git` and `node_modules` included, and loses a file
 * that an editor saves by renaming a new one over it. A folder's own watch sees every entry in it
 * being created, written, renamed or deleted. Elsewhere the system's recursive watch does this.
 */
export class FolderWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly native = process.platform === 'darwin' || process.platform === 'win32';

  constructor(
    private readonly root: string,
    private readonly changed: () => void,
  ) {}

  /** Whether the folder itself is watched. */
  get active(): boolean {
    return this.watchers.has(this.root);
  }

  /**
   * Watch exactly these folders (from scanFolder): new ones are added, gone ones dropped.
   * Returns how many were added. Throws when the root cannot be watched.
   */
  follow(dirs: string[]): number {
    const wanted = this.native ? [this.root] : dirs;
    const keep = new Set(wanted);
    for (const [dir, w] of this.watchers) {
      if (!keep.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    let added = 0;
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false, recursive: this.native }, (_event, name) => {
          if (name && isIgnoredChange(String(name))) return;
          this.changed();
        });
        w.on('error', () => {
          // The folder went away under the watch: forget it; the next scan decides.
          w.close();
          if (this.watchers.get(dir) === w) this.watchers.delete(dir);
          this.changed();
        });
        this.watchers.set(dir, w);
        added++;
      } catch (error) {
        if (dir === this.root) throw error;
        // A subfolder removed since the scan: the next scan will not list it.
      }
    }
    return added;
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
