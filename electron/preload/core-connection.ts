/**
 * The page's connection to the core host, as the preload keeps it: a ClientLink over the two
 * MessagePorts the main process hands over (control: HostMessages; bytes: Uint8Array frames), and
 * an API that outlives any one pair of ports. Calls made before the first ports arrive wait for
 * them; after the core host restarts, fresh ports replace the old ones and event subscriptions
 * carry over. Nothing here imports electron, so it runs (and is tested) on Node's own MessagePorts.
 */
import { ApiError, events, type EventName } from '../../shared/contract';
import { createClient, type ClientLink, type HostMessage, type StreamHandle, type WatchfloorApi } from '../../shared/rpc';

/** The part of a DOM MessagePort used here (Node's worker_threads MessagePort has it too). */
export interface Port {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'close', listener: (event: { data?: unknown }) => void): void;
  start(): void;
  close(): void;
}

export interface PortLink extends ClientLink {
  /** Closes both ports and tells the client why; later calls are no-ops. */
  close(reason: string): void;
}

export function portLink(control: Port, bytes: Port): PortLink {
  const messageListeners: ((message: HostMessage) => void)[] = [];
  const bytesListeners: ((frame: Uint8Array) => void)[] = [];
  const closeListeners: ((reason: string) => void)[] = [];
  let closed = false;

  const close = (reason: string) => {
    if (closed) return;
    closed = true;
    control.close();
    bytes.close();
    for (const l of closeListeners) l(reason);
  };

  control.addEventListener('message', (event) => {
    if (closed) return;
    for (const l of messageListeners) l(event.data as HostMessage);
  });
  bytes.addEventListener('message', (event) => {
    const data = event.data;
    // isView, not instanceof: the bytes may be deserialized in another JavaScript world.
    if (closed || !ArrayBuffer.isView(data)) return;
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (const l of bytesListeners) l(frame);
  });
  // Where the platform reports a closed port (Chromium's MessagePort `close` event, Node's), stop
  // using it at once; where it does not, the next pair of ports replaces it.
  control.addEventListener('close', () => close("the core host's port closed"));
  bytes.addEventListener('close', () => close("the core host's port closed"));
  control.start();
  bytes.start();

  return {
    send(message) {
      if (!closed) control.postMessage(message);
    },
    onMessage: (l) => void messageListeners.push(l),
    onBytes: (l) => void bytesListeners.push(l),
    onClose: (l) => void closeListeners.push(l),
    close,
  };
}

export interface CoreConnection {
  /** The typed API the page gets. */
  readonly api: WatchfloorApi;
  /** Ports from the main process: the first connection, or a fresh one after a restart. */
  attach(control: Port, bytes: Port): void;
  /** The core is gone for good (main gave up restarting it): fail what waits and what comes. */
  fail(reason: string): void;
}

const eventNames = Object.keys(events) as EventName[];

export function createCoreConnection(): CoreConnection {
  let current: { link: PortLink; client: WatchfloorApi } | null = null;
  let goneReason: string | null = null;
  const waiting: { run(client: WatchfloorApi): void; fail(error: Error): void }[] = [];
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const disconnectListeners = new Set<(reason: string) => void>();

  const notConnected = (reason: string) =>
    new ApiError({ code: 'internal', message: `Not connected to Watchfloor's core (${reason}). Nothing saved was lost; restart Watchfloor to reconnect.` });

  function withClient<T>(use: (client: WatchfloorApi) => Promise<T>): Promise<T> {
    if (goneReason !== null) return Promise.reject(notConnected(goneReason));
    if (current) return use(current.client);
    return new Promise<T>((resolve, reject) => {
      waiting.push({ run: (client) => void use(client).then(resolve, reject), fail: reject });
    });
  }

  function attach(control: Port, bytes: Port): void {
    // Calls still in flight on the old ports are rejected by their client: whether they took
    // effect is unknown, so they are not replayed.
    current?.link.close("Watchfloor's core restarted; try again");
    goneReason = null;
    const link = portLink(control, bytes);
    const client = createClient(link);
    const entry = { link, client };
    current = entry;
    link.onClose(() => {
      if (current === entry) current = null; // new calls wait for the next ports
    });
    for (const name of eventNames) {
      client.on(name, (payload) => {
        for (const l of eventListeners.get(name) ?? []) l(payload);
      });
    }
    for (const w of waiting.splice(0)) w.run(client);
  }

  function fail(reason: string): void {
    goneReason = reason;
    current?.link.close(reason);
    current = null;
    for (const w of waiting.splice(0)) w.fail(notConnected(reason));
    for (const l of disconnectListeners) l(reason);
  }

  const api: WatchfloorApi = {
    call: (method, input) => withClient((client) => client.call(method, input)),
    on(event, listener) {
      let set = eventListeners.get(event);
      if (!set) eventListeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    openStream: (stream, params, onData, onEnd): Promise<StreamHandle> =>
      withClient((client) => client.openStream(stream, params, onData, onEnd)),
    onDisconnect(listener) {
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },
  };

  return { api, attach, fail };
}
