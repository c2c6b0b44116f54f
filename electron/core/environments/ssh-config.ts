/**
 * Hosts from an OpenSSH client config, as candidates an operator may add to an environment.
 * Pure: text in, candidates out. `Include` is expanded by the caller (which reads files), since
 * ssh-config parses one file's text.
 */
import SSHConfig from 'ssh-config';
import type { SshConfigCandidate } from '../../../shared/contract';

/** One candidate per concrete `Host` alias (wildcard and negated patterns are defaults, not
 * hosts), with everything OpenSSH would apply to it computed: `Host *` defaults included. */
export function parseSshConfig(text: string): SshConfigCandidate[] {
  const config = SSHConfig.parse(text);
  const aliases: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    const patterns = typeof line.value === 'string' ? line.value.split(/\s+/) : line.value.map((v) => v.val);
    for (const p of patterns) if (p && !/[*?!]/.test(p) && !aliases.includes(p)) aliases.push(p);
  }
  return aliases.map((alias) => {
    const c = config.compute(alias) as Record<string, string | string[] | undefined>;
    const first = (key: string): string | null => {
      const v = c[key];
      const s = Array.isArray(v) ? v[0] : v;
      return s === undefined || s === '' ? null : s;
    };
    const port = Number(first('Port') ?? 22);
    const jump = first('ProxyJump');
    return {
      name: alias,
      host: first('HostName') ?? alias,
      port: Number.isInteger(port) && port > 0 && port < 65_536 ? port : 22,
      user: first('User'),
      keyPath: first('IdentityFile'),
      // `none` disables a jump inherited from a wider Host block; a chain starts with its first hop.
      jumpHost: jump && jump.toLowerCase() !== 'none' ? (jump.split(',')[0] ?? null) : null,
    };
  });
}

/** The file patterns of every `Include` line, in order, for the caller to read. */
export function includePatterns(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*include(?:\s*=\s*|\s+)(.+?)\s*$/i.exec(line);
    if (m?.[1]) out.push(...m[1].split(/\s+/).map((p) => p.replace(/^"(.*)"$/, '$1')));
  }
  return out;
}
