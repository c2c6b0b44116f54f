import { Component, type ErrorInfo, type ReactNode } from 'react';

/** The app never white-screens: a render error shows what broke and a way back. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('Watchfloor UI error', error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="fullscreen-message" role="alert">
        <div className="fullscreen-card">
          <h1>The interface hit an error</h1>
          <p>
            Nothing was lost: everything you saved is kept by Watchfloor’s core. Reload the window to continue.
          </p>
          <pre className="fullscreen-detail">{error.message}</pre>
          <button type="button" className="button button-primary" onClick={() => location.reload()}>
            Reload
          </button>
        </div>
      </div>
    );
  }
}
