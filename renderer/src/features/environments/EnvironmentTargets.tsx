import { Download, Plus, X } from 'lucide-react';
import { useCallback, useState, type ReactNode } from 'react';
import type { KubeconfigCandidate, SshConfigCandidate } from '@shared/contract';
import { useAppStore } from '../../store';
import { ImportDialog } from './ImportDialog';
import {
  blankRow,
  kubernetesRowsFrom,
  sshRowsFrom,
  type SshHostRow,
  type TargetDrafts,
  type TargetList,
} from './targetDrafts';

interface Column<R> {
  key: keyof R & string;
  header: string;
  /** The accessible name of the cell, numbered: "Port 1". */
  label: string;
  /** Width in a 12-column grid; a row wraps onto a second line the way its header does. */
  span: number;
  options?: (row: R) => { value: string; label: string }[];
  placeholder?: string;
  inputMode?: 'numeric';
}

const authOptions = [
  { value: 'agent', label: 'Agent' },
  { value: 'key', label: 'Key file' },
  { value: 'password', label: 'Password' },
  { value: 'keyboard-interactive', label: 'Keyboard-interactive' },
];

/** The targets an environment points at, each kind a compact editable list. Field errors from
 * the core (`sshHosts.0.port`) show beside their cells. */
export function EnvironmentTargets(props: {
  drafts: TargetDrafts;
  errors: Record<string, string>;
  onChange: (next: TargetDrafts) => void;
}) {
  const { drafts, errors, onChange } = props;
  const [importing, setImporting] = useState<'ssh' | 'kube' | null>(null);
  const readSshConfig = useAppStore((s) => s.readSshConfig);
  const readKubeconfig = useAppStore((s) => s.readKubeconfig);
  const readHosts = useCallback(
    async (path?: string) => {
      const r = await readSshConfig(path);
      return r.ok ? { ok: true as const, value: { items: r.value.hosts, from: r.value.path } } : r;
    },
    [readSshConfig],
  );
  const readContexts = useCallback(
    async (path?: string) => {
      const r = await readKubeconfig(path);
      return r.ok ? { ok: true as const, value: { items: r.value.contexts, from: r.value.paths.join(', ') } } : r;
    },
    [readKubeconfig],
  );

  const set = <L extends TargetList>(list: L, rows: TargetDrafts[L]) => onChange({ ...drafts, [list]: rows });
  const jumpOptions = (row: SshHostRow) => [
    { value: '', label: 'Direct' },
    ...drafts.sshHosts.filter((h) => h.id !== row.id).map((h) => ({ value: h.id, label: h.name || h.host || 'unnamed host' })),
  ];

  return (
    <div className="targets">
      <TargetSection
        title="SSH hosts"
        hint="Hosts a terminal of this environment connects to. Passwords and key passphrases are asked for or kept in the vault, never here."
        noun="SSH host"
        list="sshHosts"
        rows={drafts.sshHosts}
        errors={errors}
        onRows={(rows) => set('sshHosts', rows)}
        extra={
          <button type="button" className="button button-small" onClick={() => setImporting('ssh')}>
            <Download size={13} aria-hidden="true" /> Import from ~/.ssh/config
          </button>
        }
        columns={[
          { key: 'name', header: 'Label', label: 'SSH label', span: 3, placeholder: 'web-1' },
          { key: 'host', header: 'Host', label: 'Host', span: 3, placeholder: 'host or IP' },
          { key: 'port', header: 'Port', label: 'Port', span: 2, inputMode: 'numeric' },
          { key: 'user', header: 'User', label: 'User', span: 2, placeholder: 'user' },
          { key: 'auth', header: 'Auth', label: 'Auth', span: 2, options: () => authOptions },
          { key: 'keyPath', header: 'Key file', label: 'Key file', span: 5, placeholder: '~/.ssh/id_ed25519' },
          { key: 'jumpHostId', header: 'Jump host', label: 'Jump host', span: 4, options: jumpOptions },
          { key: 'keepaliveSeconds', header: 'Keepalive (s)', label: 'Keepalive', span: 3, inputMode: 'numeric' },
        ]}
      />
      <TargetSection
        title="Kubernetes"
        hint="A kubectl terminal is pinned to this context and namespace."
        noun="Kubernetes context"
        list="kubernetes"
        rows={drafts.kubernetes}
        errors={errors}
        onRows={(rows) => set('kubernetes', rows)}
        extra={
          <button type="button" className="button button-small" onClick={() => setImporting('kube')}>
            <Download size={13} aria-hidden="true" /> Import from kubeconfig
          </button>
        }
        columns={[
          { key: 'name', header: 'Label', label: 'Kubernetes label', span: 2, placeholder: 'eu cluster' },
          { key: 'kubeconfigPath', header: 'Kubeconfig', label: 'Kubeconfig', span: 4 },
          { key: 'context', header: 'Context', label: 'Context', span: 3 },
          { key: 'namespace', header: 'Namespace', label: 'Namespace', span: 3 },
        ]}
      />
      <TargetSection
        title="Cloudflare"
        hint="The API token is a vault secret: name it here, never paste the token."
        noun="Cloudflare account"
        list="cloudflare"
        rows={drafts.cloudflare}
        errors={errors}
        onRows={(rows) => set('cloudflare', rows)}
        columns={[
          { key: 'name', header: 'Label', label: 'Cloudflare label', span: 2 },
          { key: 'accountId', header: 'Account ID', label: 'Account ID', span: 4, placeholder: '32 hex characters' },
          { key: 'wranglerEnv', header: 'Wrangler env', label: 'Wrangler env', span: 3, placeholder: 'top level' },
          { key: 'apiTokenSecret', header: 'API token secret', label: 'API token secret', span: 3, placeholder: 'CLOUDFLARE_API_TOKEN' },
        ]}
      />
      <TargetSection
        title="Health checks"
        hint="http:// or https:// addresses that answer with the expected status when all is well."
        noun="health check"
        list="healthUrls"
        rows={drafts.healthUrls}
        errors={errors}
        onRows={(rows) => set('healthUrls', rows)}
        columns={[
          { key: 'name', header: 'Label', label: 'Check label', span: 3 },
          { key: 'url', header: 'URL', label: 'URL', span: 7 },
          { key: 'expectedStatus', header: 'Status', label: 'Expected status', span: 2, inputMode: 'numeric' },
        ]}
      />

      {importing === 'ssh' ? (
        <ImportDialog<SshConfigCandidate>
          title="Import from ~/.ssh/config"
          defaultPath="~/.ssh/config"
          noun="hosts"
          read={readHosts}
          describe={(c) => ({
            key: c.name,
            title: c.name,
            detail: `${c.user ? `${c.user}@` : ''}${c.host}:${c.port}${c.jumpHost ? ` via ${c.jumpHost}` : ''}`,
            present: drafts.sshHosts.some((h) => h.name === c.name || (h.host === c.host && h.port === String(c.port) && h.user === (c.user ?? ''))),
          })}
          onClose={() => setImporting(null)}
          onAdd={(picked) => {
            set('sshHosts', [...drafts.sshHosts, ...sshRowsFrom(picked, drafts.sshHosts)]);
            setImporting(null);
          }}
        />
      ) : importing === 'kube' ? (
        <ImportDialog<KubeconfigCandidate>
          title="Import from kubeconfig"
          defaultPath="$KUBECONFIG or ~/.kube/config"
          noun="contexts"
          read={readContexts}
          describe={(c) => ({
            key: `${c.kubeconfigPath}\n${c.name}`,
            title: c.name,
            detail: [c.cluster, c.namespace ? `ns ${c.namespace}` : null, c.server].filter(Boolean).join(' · '),
            present: drafts.kubernetes.some((k) => k.context === c.name && k.kubeconfigPath === c.kubeconfigPath),
          })}
          onClose={() => setImporting(null)}
          onAdd={(picked) => {
            set('kubernetes', [...drafts.kubernetes, ...kubernetesRowsFrom(picked)]);
            setImporting(null);
          }}
        />
      ) : null}
    </div>
  );
}

function TargetSection<R extends { id: string }>(props: {
  title: string;
  hint: string;
  noun: string;
  list: TargetList;
  rows: R[];
  columns: Column<R>[];
  errors: Record<string, string>;
  onRows: (rows: R[]) => void;
  extra?: ReactNode;
}) {
  const { rows, columns, errors, list } = props;
  const listError = errors[list];
  return (
    <fieldset className="targets-section">
      <legend className="field-label">{props.title}</legend>
      <p className="field-hint">{props.hint}</p>
      {listError ? <p className="field-error">{listError}</p> : null}
      {rows.length > 0 ? (
        <div className="target-rows">
          <div className="target-row target-head" aria-hidden="true">
            {columns.map((c) => (
              <span key={c.key} style={{ gridColumn: `span ${c.span}` }}>
                {c.header}
              </span>
            ))}
          </div>
          {rows.map((row, i) => (
            <div key={row.id} className="target-row" role="group" aria-label={`${props.noun} ${i + 1}`}>
              {columns.map((c) => {
                const error = errors[`${list}.${i}.${c.key}`];
                const errorId = `${row.id}-${c.key}-error`;
                const common = {
                  'aria-label': `${c.label} ${i + 1}`,
                  'aria-invalid': error ? true : undefined,
                  'aria-describedby': error ? errorId : undefined,
                  value: String(row[c.key]),
                };
                const change = (value: string) => props.onRows(rows.map((r) => (r.id === row.id ? { ...r, [c.key]: value } : r)));
                return (
                  <div key={c.key} className="target-cell" style={{ gridColumn: `span ${c.span}` }}>
                    {c.options ? (
                      <select {...common} onChange={(e) => change(e.target.value)}>
                        {c.options(row).map((o) => (
                          <option key={o.value} value={o.value}>
                            {o.label}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        {...common}
                        type="text"
                        className="mono"
                        inputMode={c.inputMode}
                        placeholder={c.placeholder}
                        spellCheck={false}
                        autoComplete="off"
                        onChange={(e) => change(e.target.value)}
                      />
                    )}
                    {error ? (
                      <span className="field-error" id={errorId}>
                        {error}
                      </span>
                    ) : null}
                  </div>
                );
              })}
              <button
                type="button"
                className="icon-button target-remove"
                aria-label={`Remove ${props.noun} ${i + 1}`}
                onClick={() => props.onRows(rows.filter((r) => r.id !== row.id))}
              >
                <X size={14} aria-hidden="true" />
              </button>
            </div>
          ))}
        </div>
      ) : null}
      <div className="targets-actions">
        <button type="button" className="button button-small" onClick={() => props.onRows([...rows, blankRow[list]() as unknown as R])}>
          <Plus size={13} aria-hidden="true" /> Add {props.noun}
        </button>
        {props.extra}
      </div>
    </fieldset>
  );
}
