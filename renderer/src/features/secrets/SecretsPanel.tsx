import { Eye, EyeOff, KeyRound, Lock, Plus, Trash } from 'lucide-react';
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Environment, SecretSummary } from '@shared/contract';
import { useAppStore } from '../../store';
import { ConfirmDialog } from '../../app/ui/ConfirmDialog';
import './secrets.css';

const NO_SECRETS: SecretSummary[] = [];

/**
 * The selected environment's secrets, on the Environments page. Locked: the passphrase form.
 * Unlocked: the names, each revealed only on an explicit click (and then held in that row's own
 * state, never in the store), an add form, and Lock vault.
 */
export function SecretsPanel({ environment }: { environment: Environment }) {
  const vault = useAppStore((s) => s.vault);
  const loadVault = useAppStore((s) => s.loadVault);
  const lockVault = useAppStore((s) => s.lockVault);
  const headingId = useId();
  useEffect(() => void loadVault(), [loadVault]);

  return (
    <section className="secrets-panel" aria-labelledby={headingId}>
      <header className="secrets-head">
        <KeyRound size={15} aria-hidden="true" />
        <h3 id={headingId} className="secrets-title">
          Secrets
        </h3>
        {vault?.state === 'unlocked' ? (
          <button type="button" className="button button-small secrets-lock" onClick={() => void lockVault()}>
            <Lock size={13} aria-hidden="true" /> Lock vault
          </button>
        ) : null}
      </header>
      <p className="field-hint">
        Tokens and passwords for {environment.name}. They are encrypted on disk and redacted from everything Watchfloor
        records; a value is shown only when you reveal it.
      </p>
      {vault === null ? (
        <p className="muted">Reading the vault…</p>
      ) : vault.state === 'unlocked' ? (
        <SecretList environmentId={environment.id} />
      ) : vault.kind === 'passphrase' ? (
        <VaultPassphraseForm creating={vault.state === 'uninitialised'} />
      ) : (
        <p className="muted">The vault is kept by the operating system keychain, which has not opened it.</p>
      )}
    </section>
  );
}

function VaultPassphraseForm({ creating }: { creating: boolean }) {
  const createVault = useAppStore((s) => s.createVault);
  const unlockVault = useAppStore((s) => s.unlockVault);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { passphrase: useId(), confirm: useId(), error: useId() };

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (creating && passphrase !== confirm) {
      setError('The two passphrases differ; type the same one twice.');
      return;
    }
    setBusy(true);
    const result = creating ? await createVault(passphrase) : await unlockVault(passphrase);
    setBusy(false);
    if (!result.ok) setError(result.fieldErrors.passphrase ?? result.message);
  }

  return (
    <form className="secrets-unlock" onSubmit={onSubmit} aria-label={creating ? 'Create the vault' : 'Unlock the vault'} noValidate>
      {creating ? (
        <p className="field-hint">
          No vault yet. Choose a passphrase of at least 8 characters: it is never stored, and without it the secrets
          cannot be read.
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={ids.passphrase} className="field-label">
          Vault passphrase
        </label>
        <input
          id={ids.passphrase}
          type="password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          autoComplete={creating ? 'new-password' : 'current-password'}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? ids.error : undefined}
        />
      </div>
      {creating ? (
        <div className="field">
          <label htmlFor={ids.confirm} className="field-label">
            Confirm passphrase
          </label>
          <input id={ids.confirm} type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
        </div>
      ) : null}
      {error ? (
        <p className="field-error" id={ids.error} role="alert">
          {error}
        </p>
      ) : null}
      <div>
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {creating ? 'Create vault' : 'Unlock'}
        </button>
      </div>
    </form>
  );
}

function SecretList({ environmentId }: { environmentId: string }) {
  const secrets = useAppStore((s) => s.secretNames[environmentId] ?? NO_SECRETS);
  const loadSecrets = useAppStore((s) => s.loadSecrets);
  useEffect(() => void loadSecrets(environmentId), [loadSecrets, environmentId]);
  return (
    <>
      {secrets.length === 0 ? (
        <p className="muted">No secrets in this environment yet.</p>
      ) : (
        <ul className="secret-list" aria-label="Secret names">
          {secrets.map((s) => (
            <SecretRow key={s.name} environmentId={environmentId} name={s.name} updatedAt={s.updatedAt} />
          ))}
        </ul>
      )}
      <AddSecretForm key={environmentId} environmentId={environmentId} />
    </>
  );
}

function SecretRow({ environmentId, name, updatedAt }: { environmentId: string; name: string; updatedAt: string }) {
  const reveal = useAppStore((s) => s.revealSecret);
  const remove = useAppStore((s) => s.deleteSecret);
  // The value lives here, in this row, only while it is shown.
  const [value, setValue] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  // A new value saved elsewhere must not leave the old one on screen.
  useEffect(() => setValue(null), [updatedAt]);

  return (
    <li className="secret-row">
      <span className="secret-name mono">{name}</span>
      <span className="secret-value mono" aria-label={value === null ? `${name} is hidden` : `Value of ${name}`}>
        {value ?? '••••••••'}
      </span>
      <button
        type="button"
        className="button button-small"
        aria-label={`${value === null ? 'Reveal' : 'Hide'} ${name}`}
        onClick={async () => setValue(value === null ? await reveal(environmentId, name) : null)}
      >
        {value === null ? <Eye size={13} aria-hidden="true" /> : <EyeOff size={13} aria-hidden="true" />}
        {value === null ? 'Reveal' : 'Hide'}
      </button>
      <button type="button" className="button button-small button-ghost-danger" aria-label={`Delete ${name}`} onClick={() => setConfirming(true)}>
        <Trash size={13} aria-hidden="true" /> Delete
      </button>
      {confirming ? (
        <ConfirmDialog
          title={`Delete the secret ${name}?`}
          confirmLabel="Delete"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void remove(environmentId, name);
          }}
        >
          <p>Its value will be gone for good; runbook steps that use {name} will ask for it. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </li>
  );
}

function AddSecretForm({ environmentId }: { environmentId: string }) {
  const save = useAppStore((s) => s.saveSecret);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const ids = { name: useId(), value: useId() };

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const result = await save(environmentId, name.trim(), value);
    setBusy(false);
    if (result.ok) {
      setName('');
      setValue('');
      setErrors({});
    } else {
      setErrors(result.fieldErrors);
    }
  }

  return (
    <form className="secret-add" onSubmit={onSubmit} aria-label="Add a secret" noValidate>
      <div className="field">
        <label htmlFor={ids.name} className="field-label">
          Secret name
        </label>
        <input
          id={ids.name}
          type="text"
          className="mono"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. CLOUDFLARE_API_TOKEN"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? `${ids.name}-error` : undefined}
        />
        {errors.name ? (
          <span className="field-error" id={`${ids.name}-error`}>
            {errors.name}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={ids.value} className="field-label">
          Secret value
        </label>
        <input
          id={ids.value}
          type="password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="new-password"
          aria-invalid={errors.value ? true : undefined}
          aria-describedby={errors.value ? `${ids.value}-error` : undefined}
        />
        {errors.value ? (
          <span className="field-error" id={`${ids.value}-error`}>
            {errors.value}
          </span>
        ) : null}
      </div>
      <button type="submit" className="button" disabled={busy} aria-busy={busy}>
        <Plus size={14} aria-hidden="true" /> Add secret
      </button>
    </form>
  );
}
