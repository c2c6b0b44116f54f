import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where Watchfloor keeps its store when no --data-dir or WATCHFLOOR_DATA_DIR is given: the same
 * folder Electron's `app.getPath('userData')` names for productName "Watchfloor", so the desktop
 * app, the headless host and the CLI share one library. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.WATCHFLOOR_DATA_DIR) return env.WATCHFLOOR_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Watchfloor');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Watchfloor');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Watchfloor');
}
