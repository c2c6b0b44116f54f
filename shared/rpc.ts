/**
 * The wire protocol both hosts speak, and the typed client both renderer transports use.
 * Calls, results and events are structured messages on the control channel; stream bytes travel
 * on a separate byte channel as frames `[u32 stream id][bytes]`, never as JSON.
 */
import {
  ApiError,
  type ApiErrorShape,
  type CallInput,
  type CallName,
  type CallOutput,
  type EventName,
  type EventPayload,
  type StreamName,
  type StreamParams,
} from './contract';

export type ClientMessage =
  | { t: 'call'; id: number; method: string; params: unknown }
  | { t: 'stream.open'; id: number; stream: string; params: unknown }
  | { t: 'stream.close'; streamId: number }
  | { t: 'stream.ack'; streamId: number; bytes: number };

export type HostMessage =
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: ApiErrorShape }
  | { t: 'event'; name: string; payload: unknown }
  | { t: 'stream.end'; streamId: number; reason: string | null };

/**
 * Flow control, after VS Code's terminal: the host pauses a stream above HIGH unacknowledged bytes
 * and resumes below LOW; the client acknowledges every ACK_EVERY bytes it has consumed, that is
 * once its `onData` has returned, or once the promise it returned (xterm's write callback) has
 * settled. The window is larger than VS Code's 100,000/5,000: measured with `npm run bench` on 2
 * cores, pty → host → WebSocket → xterm ran at 0.44 of raw node-pty with 400 KB, 0.68 with 1 MB
 * and 0.76 with 2 MB, while a keystroke's echo p99 beside a flooding terminal went 27 → 26 → 42 ms.
 * 1 MB keeps Ctrl+C prompt (xterm parses a full window in about 30 ms) and memory bounded.
 */
export const FLOW = { HIGH: 1_000_000, LOW: 500_000, ACK_EVERY: 50_000 } as const;

/** What a stream's consumer does with bytes; a returned promise means "consumed when it settles". */
export type StreamConsumer = (bytes: Uint8Array) => void | PromiseLike<void>;

export function encodeStreamFrame(streamId: number, bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + bytes.byteLength);
  new DataView(frame.buffer).setUint32(0, streamId);
  frame.set(bytes, 4);
  return frame;
}

export function decodeStreamFrame(frame: Uint8Array): { streamId: number; bytes: Uint8Array } {
  if (frame.byteLength < 4) throw new Error('stream frame shorter than its header');
  const streamId = new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0);
  return { streamId, bytes: frame.subarray(4) };
}

/** A bidirectional link as the client sees it: a control channel and a byte channel. */
export interface ClientLink {
  send(message: ClientMessage): void;
  onMessage(listener: (message: HostMessage) => void): void;
  onBytes(listener: (frame: Uint8Array) => void): void;
  onClose(listener: (reason: string) => void): void;
}

export interface StreamHandle {
  close(): void;
}

/** The typed API the renderer uses, whichever host is behind it. */
export interface WatchfloorApi {
  call<M extends CallName>(method: M, input: CallInput<M>): Promise<CallOutput<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  openStream<S extends StreamName>(
    stream: S,
    params: StreamParams<S>,
    onData: StreamConsumer,
    onEnd?: (reason: string | null) => void,
  ): Promise<StreamHandle>;
  onDisconnect(listener: (reason: string) => void): () => void;
}

export function createClient(link: ClientLink): WatchfloorApi {
  let nextId = 1;
  let closedReason: string | null = null;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const early = new Map<number, Uint8Array[]>();
  const disconnectListeners = new Set<(reason: string) => void>();
  const openStreams = new Map<number, { onData: StreamConsumer; onEnd?: (r: string | null) => void; consumed: number }>();

  /** Hand bytes to the consumer, and acknowledge them once it has consumed them. */
  function deliver(streamId: number, stream: { onData: StreamConsumer; consumed: number }, bytes: Uint8Array): void {
    const consumed = () => {
      if (openStreams.get(streamId) !== stream || closedReason !== null) return;
      stream.consumed += bytes.byteLength;
      if (stream.consumed >= FLOW.ACK_EVERY) {
        link.send({ t: 'stream.ack', streamId, bytes: stream.consumed });
        stream.consumed = 0;
      }
    };
    let result: void | PromiseLike<void>;
    try {
      result = stream.onData(bytes);
    } catch {
      result = undefined; // a consumer that throws has still taken the bytes; never stall the stream
    }
    if (result && typeof result.then === 'function') result.then(consumed, consumed);
    else consumed();
  }

  link.onMessage((message) => {
    switch (message.t) {
      case 'result': {
        const entry = pending.get(message.id);
        if (!entry) return;
        pending.delete(message.id);
        if (message.ok) entry.resolve(message.value);
        else entry.reject(new ApiError(message.error));
        return;
      }
      case 'event':
        for (const l of listeners.get(message.name) ?? []) l(message.payload);
        return;
      case 'stream.end': {
        const s = openStreams.get(message.streamId);
        openStreams.delete(message.streamId);
        early.delete(message.streamId);
        s?.onEnd?.(message.reason);
        return;
      }
    }
  });
  link.onBytes((frame) => {
    const { streamId, bytes } = decodeStreamFrame(frame);
    const s = openStreams.get(streamId);
    if (!s) {
      // The byte channel and the control channel are separate ports: bytes can overtake the
      // stream.open result. Keep them until the stream is registered; the host's flow control
      // bounds how many can come before the first acknowledgement.
      const queue = early.get(streamId) ?? [];
      queue.push(bytes.slice());
      early.set(streamId, queue);
      return;
    }
    deliver(streamId, s, bytes);
  });
  link.onClose((reason) => {
    closedReason = reason;
    const error = new ApiError({ code: 'internal', message: `Lost the connection to Watchfloor's core (${reason}). Nothing saved was lost; reload to reconnect.` });
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    for (const s of openStreams.values()) s.onEnd?.(reason);
    openStreams.clear();
    for (const l of disconnectListeners) l(reason);
  });

  function request(message: { t: 'call'; method: string; params: unknown } | { t: 'stream.open'; stream: string; params: unknown }): Promise<unknown> {
    if (closedReason !== null) {
      return Promise.reject(new ApiError({ code: 'internal', message: `Not connected to Watchfloor's core (${closedReason}).` }));
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      link.send({ ...message, id } as ClientMessage);
    });
  }

  return {
    call(method, input) {
      return request({ t: 'call', method, params: input }) as never;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    async openStream(stream, params, onData, onEnd) {
      const { streamId } = (await request({ t: 'stream.open', stream, params })) as { streamId: number };
      const entry = { onData, ...(onEnd ? { onEnd } : {}), consumed: 0 };
      openStreams.set(streamId, entry);
      const held = early.get(streamId) ?? [];
      early.delete(streamId);
      for (const bytes of held) deliver(streamId, entry, bytes);
      return {
        close() {
          if (!openStreams.delete(streamId)) return;
          if (closedReason === null) link.send({ t: 'stream.close', streamId });
        },
      };
    },
    onDisconnect(listener) {
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },
  };
}
