import { PlugZap } from 'lucide-react';

/** Shown instead of the app when there is no core to talk to: never a blank page. */
export function NotConnected(props: { reason: string }) {
  const reason = props.reason.replace(/[.\s]+$/, '');
  return (
    <div className="fullscreen-message" role="alert" aria-labelledby="not-connected-title">
      <div className="fullscreen-card">
        <PlugZap className="fullscreen-icon" size={28} aria-hidden="true" />
        <h1 id="not-connected-title">Not connected to Watchfloor’s core</h1>
        <p>
          Not connected to Watchfloor’s core: {reason}. Nothing you saved is lost.
        </p>
        <p>
          If you use the headless host, open the URL <code>watchfloor serve</code> printed, with its{' '}
          <code>#token=…</code>. If the server restarted, it printed a new URL.
        </p>
        <button type="button" className="button button-primary" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    </div>
  );
}
