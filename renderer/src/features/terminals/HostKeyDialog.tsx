import { useId } from 'react';
import { KeyRound } from 'lucide-react';
import type { HostKeyOffer } from '@shared/contract';
import { useAppStore } from '../../store';
import { useModalDialog } from '../../app/ui/useModalDialog';

/** Shown when an SSH terminal meets a host key it has never seen (trust on first use). */
export function HostKeyDialog() {
  const prompt = useAppStore((s) => s.hostKeyPrompt);
  const environment = useAppStore((s) => s.environments.find((e) => e.id === prompt?.offer.environmentId) ?? null);
  if (!prompt) return null;
  return <HostKeyQuestion offer={prompt.offer} environmentName={environment?.name ?? null} />;
}

/**
 * The key's fingerprint, to compare with the one the server's owner gives out. Focus starts on
 * Cancel: a stray Enter must not trust a key nobody compared. Trusting is one Tab away; Esc cancels.
 */
function HostKeyQuestion({ offer, environmentName }: { offer: HostKeyOffer; environmentName: string | null }) {
  const trust = useAppStore((s) => s.trustHostKey);
  const dismiss = useAppStore((s) => s.dismissHostKey);
  const ref = useModalDialog();
  const titleId = useId();
  const bodyId = useId();
  const address = offer.port === 22 ? offer.host : `${offer.host}:${offer.port}`;
  return (
    <dialog
      ref={ref}
      className="dialog host-key-dialog"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => {
        e.preventDefault();
        dismiss();
      }}
    >
      <h2 id={titleId} className="dialog-title host-key-title">
        <KeyRound size={16} aria-hidden="true" /> Unknown host key for {address}
      </h2>
      <div id={bodyId} className="dialog-body">
        <p>
          Watchfloor has not connected to this host before{environmentName ? ` in ${environmentName}` : ''}, so it cannot
          tell whether this key is the server’s own. Compare it with the fingerprint the server’s owner gives you; once
          trusted, a different key from this host is refused.
        </p>
        <dl className="host-key-facts">
          <dt>Host</dt>
          <dd className="mono">
            {offer.host}:{offer.port}
          </dd>
          <dt>Key type</dt>
          <dd className="mono">{offer.keyType}</dd>
          <dt>Fingerprint</dt>
          <dd>
            <code className="host-key-fingerprint" aria-label="Fingerprint">
              {offer.fingerprint}
            </code>
          </dd>
        </dl>
        <p className="muted">
          Nothing has been sent to the host yet: no password, key or command.
        </p>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" autoFocus onClick={dismiss}>
          Cancel
        </button>
        <button type="button" className="button button-primary" onClick={() => void trust()}>
          Trust and connect
        </button>
      </div>
    </dialog>
  );
}
