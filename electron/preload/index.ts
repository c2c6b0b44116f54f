/**
 * The sandboxed preload. It asks the main process for this page's ports to the core host, and
 * exposes exactly the typed API (`window.watchfloor`) and the menu subscription
 * (`window.watchfloorShell`) through contextBridge: functions only, never ipcRenderer, never Node.
 * Bundled to one CommonJS file, as sandboxed preloads require.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { bridgeKeys, ipcChannels, toBridgedError } from '../../shared/bridge';
import { isMenuCommand, type MenuCommand, type WatchfloorShell } from '../../shared/menu';
import type { WatchfloorApi } from '../../shared/rpc';
import { createCoreConnection, type Port } from './core-connection';

const connection = createCoreConnection();

ipcRenderer.on(ipcChannels.ports, (event) => {
  const [control, bytes] = event.ports as unknown as Port[];
  if (control && bytes) connection.attach(control, bytes);
});

ipcRenderer.on(ipcChannels.coreGone, (_event, reason: unknown) => {
  connection.fail(typeof reason === 'string' ? reason : "Watchfloor's core stopped");
});

const menuListeners = new Set<(command: MenuCommand) => void>();
ipcRenderer.on(ipcChannels.menu, (_event, command: unknown) => {
  if (!isMenuCommand(command)) return;
  for (const l of menuListeners) l(command);
});

// Rejections cross the bridge as plain objects (see shared/bridge.ts); the renderer's transport
// turns them back into ApiErrors with `fromBridge`.
const rejectBridged = (error: unknown): never => {
  throw toBridgedError(error);
};
const { api } = connection;

contextBridge.exposeInMainWorld(bridgeKeys.api, {
  call: (method, input) => api.call(method, input).catch(rejectBridged),
  on: (event, listener) => api.on(event, listener),
  openStream: (stream, params, onData, onEnd) => api.openStream(stream, params, onData, onEnd).catch(rejectBridged),
  onDisconnect: (listener) => api.onDisconnect(listener),
} satisfies WatchfloorApi);

contextBridge.exposeInMainWorld(bridgeKeys.shell, {
  onMenuCommand(listener) {
    menuListeners.add(listener);
    return () => void menuListeners.delete(listener);
  },
} satisfies WatchfloorShell);

ipcRenderer.send(ipcChannels.hello);
