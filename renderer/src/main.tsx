import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './app/styles/base.css';
import './app/styles/shell.css';
import './app/styles/palette.css';
import './features/runbooks/runbooks.css';
import './features/environments/environments.css';
import { App } from './app/App';
import { NotConnected } from './app/NotConnected';
import { applyTheme, loadThemePreference } from './app/theme';
import { ErrorBoundary } from './app/ui/ErrorBoundary';
import { createAppStore, StoreContext } from './store';
import { connect, onMenuCommand } from './transport';

applyTheme(loadThemePreference());

const root = createRoot(document.getElementById('root') as HTMLElement);

try {
  const api = connect();
  const store = createAppStore(api);
  store.getState().start();
  onMenuCommand((command) => store.getState().runMenuCommand(command));
  root.render(
    <StrictMode>
      <ErrorBoundary>
        <StoreContext.Provider value={store}>
          <App />
        </StoreContext.Provider>
      </ErrorBoundary>
    </StrictMode>,
  );
} catch (error) {
  root.render(<NotConnected reason={error instanceof Error ? error.message : String(error)} />);
}
