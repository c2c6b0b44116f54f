/**
 * Reading the operator's own ssh and kubectl configs for the import pickers. The parsing is pure
 * (ssh-config.ts, kubeconfig.ts); this is the file reading around it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ApiError, type KubeconfigCandidate, type SshConfigCandidate } from '../../../shared/contract';
import { parseKubeconfig } from './kubeconfig';
import { includePatterns, parseSshConfig } from './ssh-config';

export interface ConfigLocations {
  homeDir: string;
  /** `$KUBECONFIG` as the core was started with; null when unset. */
  kubeconfigEnv: string | null;
}

export function expandHome(path: string, homeDir: string): string {
  return path === '~' ? homeDir : path.startsWith('~/') ? join(homeDir, path.slice(2)) : path;
}

export function importSshConfig(path: string | undefined, where: ConfigLocations): { path: string; hosts: SshConfigCandidate[] } {
  const file = resolve(expandHome(path ?? '~/.ssh/config', where.homeDir));
  const text = readOrNotFound(file, 'ssh config', 'Give the path of your ssh config, or add hosts by hand.');
  return { path: file, hosts: parseSshConfig(withIncludes(text, where.homeDir, 0)) };
}

export function importKubeconfig(path: string | undefined, where: ConfigLocations): { paths: string[]; contexts: KubeconfigCandidate[] } {
  // kubectl reads every file of a colon-separated $KUBECONFIG; the first to name a context wins.
  const listed = path ? [path] : where.kubeconfigEnv ? where.kubeconfigEnv.split(':').filter(Boolean) : ['~/.kube/config'];
  const files = listed.map((p) => resolve(expandHome(p, where.homeDir)));
  const read = files.filter((f) => readable(f));
  if (read.length === 0) {
    throw new ApiError({
      code: 'not_found',
      message: `No kubeconfig found: read ${files.join(', ')}${path ? '' : where.kubeconfigEnv ? ' (from $KUBECONFIG)' : ''}. Give the path of a kubeconfig, or add contexts by hand.`,
    });
  }
  const contexts: KubeconfigCandidate[] = [];
  for (const file of read) {
    let found: KubeconfigCandidate[];
    try {
      found = parseKubeconfig(readFileSync(file, 'utf8'), file);
    } catch (error) {
      throw new ApiError({
        code: 'import_failed',
        message: `${file} is not a readable kubeconfig (${error instanceof Error ? error.message : String(error)}). Nothing was added.`,
      });
    }
    for (const c of found) if (!contexts.some((o) => o.name === c.name)) contexts.push(c);
  }
  return { paths: read, contexts };
}

function readable(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}

function readOrNotFound(file: string, what: string, next: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ApiError({
      code: 'not_found',
      message: `No ${what} at ${file}${code && code !== 'ENOENT' ? ` (${code})` : ''}. ${next}`,
    });
  }
}

/** Inlines `Include`d files where they are named, as OpenSSH reads them: relative paths are under
 * ~/.ssh, and `*` or `?` may appear in the file name. Missing files are skipped, as ssh does. */
function withIncludes(text: string, homeDir: string, depth: number): string {
  if (depth > 8 || !/^\s*include\b/im.test(text)) return text;
  return text
    .split(/\r?\n/)
    .map((line) => {
      const patterns = includePatterns(line);
      if (patterns.length === 0) return line;
      const parts = patterns.flatMap((p) => matchFiles(expandHome(p, homeDir), homeDir));
      return parts.map((f) => withIncludes(readFileSync(f, 'utf8'), homeDir, depth + 1)).join('\n');
    })
    .join('\n');
}

function matchFiles(pattern: string, homeDir: string): string[] {
  const full = isAbsolute(pattern) ? pattern : join(homeDir, '.ssh', pattern);
  const name = basename(full);
  if (!/[*?]/.test(name)) return readable(full) ? [full] : [];
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  try {
    return readdirSync(dirname(full))
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dirname(full), f));
  } catch {
    return [];
  }
}
