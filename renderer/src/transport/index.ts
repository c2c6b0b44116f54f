/**
 * How the renderer reaches Watchfloor's core. In Electron the preload exposes the typed API as
 * `window.watchfloor`; in any other Chromium (the headless host) we speak the same protocol over a
 * WebSocket to the page's own origin. Nothing else in the renderer knows which one is in use.
 */
import { fromBridge } from '@shared/bridge';
import type { MenuCommand, WatchfloorShell } from '@shared/menu';
import { createClient, type ClientLink, type ClientMessage, type HostMessage, type WatchfloorApi } from '@shared/rpc';

declare global {
  interface Window {
    /** Set by the Electron preload through contextBridge; absent in the headless host. */
    watchfloor?: WatchfloorApi;
    /** Desktop-only extras (the application menu); absent in the headless host. */
    watchfloorShell?: WatchfloorShell;
  }
}

const TOKEN_KEY = 'watchfloor.token';

/** Thrown by `connect()` when there is nothing to connect with; its message is for operators. */
export class NotConnectedError extends Error {
  override readonly name = 'NotConnectedError';
}

export function connect(): WatchfloorApi {
  // contextBridge strips an ApiError to its message; fromBridge restores code and field issues.
  if (window.watchfloor) return fromBridge(window.watchfloor);
  // Pasting the printed URL into a tab already open on this page only changes the hash, which
  // does not reload it: start over so the new token is used.
  window.addEventListener('hashchange', () => {
    if (new URLSearchParams(location.hash.replace(/^#/, '')).has('token')) location.reload();
  });
  const token = takeToken();
  if (!token) {
    throw new NotConnectedError('this page was opened without its access token');
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`;
  return createClient(webSocketLink(url));
}

/** Commands from the desktop menu (Go, File › Import Runbooks…); the headless host has none. */
export function onMenuCommand(listener: (command: MenuCommand) => void): () => void {
  return window.watchfloorShell?.onMenuCommand(listener) ?? (() => {});
}

/** The token arrives once in the URL hash; keep it for reloads and take it out of the address bar. */
function takeToken(): string | null {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromHash);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function webSocketLink(url: string): ClientLink {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  // Calls made before the socket opens wait here instead of throwing InvalidStateError.
  const queued: string[] = [];
  let opened = false;
  const messageListeners: ((message: HostMessage) => void)[] = [];
  const bytesListeners: ((frame: Uint8Array) => void)[] = [];
  const closeListeners: ((reason: string) => void)[] = [];

  socket.addEventListener('open', () => {
    opened = true;
    for (const text of queued.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data === 'string') {
      let message: HostMessage;
      try {
        message = JSON.parse(event.data) as HostMessage;
      } catch {
        return; // not ours; the protocol only sends JSON text frames
      }
      for (const l of messageListeners) l(message);
    } else if (event.data instanceof ArrayBuffer) {
      const frame = new Uint8Array(event.data);
      for (const l of bytesListeners) l(frame);
    }
  });
  socket.addEventListener('close', (event) => {
    const reason = opened
      ? event.reason || `the connection closed (code ${event.code})`
      : 'the core refused the connection or is not running — its token may be from an earlier run';
    for (const l of closeListeners) l(reason);
  });

  return {
    send(message: ClientMessage) {
      const text = JSON.stringify(message);
      if (socket.readyState === WebSocket.CONNECTING) queued.push(text);
      else if (socket.readyState === WebSocket.OPEN) socket.send(text);
      // Closing or closed: the client has already rejected, or will reject, every pending call.
    },
    onMessage: (l) => void messageListeners.push(l),
    onBytes: (l) => void bytesListeners.push(l),
    onClose: (l) => void closeListeners.push(l),
  };
}
