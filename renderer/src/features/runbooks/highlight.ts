/**
 * Syntax highlighting for runbook commands: highlight.js core with only the languages runbooks use.
 * highlight.js escapes the code it returns, so its HTML is safe to render as is.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';

hljs.registerLanguage('bash', bash);
hljs.registerLanguage('shell', shell);
hljs.registerLanguage('sql', sql);
hljs.registerLanguage('yaml', yaml);
hljs.registerLanguage('json', json);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('go', go);
hljs.registerLanguage('python', python);
hljs.registerLanguage('ini', ini); // also answers to `toml`

/** Fence names that mean another grammar. `shell`/`sh` fences hold commands, not console
 * transcripts (highlight.js's `shell`), so they get the bash grammar. */
const aliases: Record<string, string> = {
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'shell',
  'shell-session': 'shell',
  psql: 'sql',
  postgres: 'sql',
  postgresql: 'sql',
  mysql: 'sql',
  yml: 'yaml',
  ts: 'typescript',
  tsx: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  golang: 'go',
  py: 'python',
  toml: 'ini',
  conf: 'ini',
};

/** Highlighted HTML for the code, or null when the language is unknown (show it as plain text). */
export function highlightCode(code: string, language: string): string | null {
  const name = language.toLowerCase();
  const resolved = aliases[name] ?? name;
  if (!resolved || !hljs.getLanguage(resolved)) return null;
  try {
    return hljs.highlight(code, { language: resolved, ignoreIllegals: true }).value;
  } catch {
    return null;
  }
}
