/**
 * The Electron bridge: the IPC channels the main process and the preload use to hand a window its
 * MessagePorts, the names the preload exposes on `window`, and how errors survive contextBridge.
 * Named once here; main and preload both import it.
 */
import { ApiError, ErrorCode, HostKeyOffer, type ApiErrorShape } from './contract';
import type { WatchfloorApi } from './rpc';

export const ipcChannels = {
  /** preload → main, no payload: this page wants its ports to the core. */
  hello: 'watchfloor:hello',
  /** main → preload, ports [control, bytes]: a connection to the core host (again, after a restart). */
  ports: 'watchfloor:ports',
  /** main → preload, payload: the reason. The core is gone and will not be restarted. */
  coreGone: 'watchfloor:core-gone',
  /** main → preload, payload: a MenuCommand (shared/menu.ts). */
  menu: 'watchfloor:menu',
} as const;

/** `window.watchfloor` is the typed API; `window.watchfloorShell` the desktop-only extras. */
export const bridgeKeys = { api: 'watchfloor', shell: 'watchfloorShell' } as const;

/**
 * contextBridge copies an Error's message and nothing else, so an ApiError's `code` and `issues`
 * (the per-field messages a form shows) would be lost on the way to the page. The preload rejects
 * with this plain object instead, which is copied whole, and `fromBridge` makes it an ApiError again.
 */
export interface BridgedError {
  watchfloorError: ApiErrorShape;
}

export function toBridgedError(error: unknown): BridgedError {
  if (error instanceof ApiError) return { watchfloorError: error.toShape() };
  const message = error instanceof Error ? error.message : String(error);
  return { watchfloorError: { code: 'internal', message } };
}

export function fromBridgedError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('watchfloorError' in error)) return error;
  const shape = (error as BridgedError).watchfloorError;
  const code = ErrorCode.safeParse(shape?.code);
  if (!code.success || typeof shape.message !== 'string') return error;
  const hostKey = HostKeyOffer.safeParse(shape.hostKey);
  return new ApiError({
    code: code.data,
    message: shape.message,
    ...(Array.isArray(shape.issues) ? { issues: shape.issues } : {}),
    ...(hostKey.success ? { hostKey: hostKey.data } : {}),
  });
}

const rethrow = (error: unknown): never => {
  throw fromBridgedError(error);
};

/** The renderer's view of `window.watchfloor`: the same API, rejecting with real ApiErrors. */
export function fromBridge(bridged: WatchfloorApi): WatchfloorApi {
  return {
    call: (method, input) => bridged.call(method, input).catch(rethrow),
    on: (event, listener) => bridged.on(event, listener),
    openStream: (stream, params, onData, onEnd) => bridged.openStream(stream, params, onData, onEnd).catch(rethrow),
    onDisconnect: (listener) => bridged.onDisconnect(listener),
  };
}
