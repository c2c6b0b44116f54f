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

/** Flow control, after VS Code's terminal: the host pauses a stream above HIGH unacknowledged
 * bytes and resumes below LOW; the client acknowledges every ACK_EVERY bytes it has consumed. */
export const FLOW = { HIGH: 100_000, LOW: 5_000, ACK_EVERY: 5_000 } as const;

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
    onData: (bytes: Uint8Array) => void,
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
  const openStreams = new Map<
    number,
    { onData: (b: Uint8Array) => void; onEnd?: (r: string | null) => void; unacked: number }
  >();

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
      // stream.open result. Keep them until the stream is registered.
      const queue = early.get(streamId) ?? [];
      if (queue.length < 256) queue.push(bytes.slice());
      early.set(streamId, queue);
      return;
    }
    s.onData(bytes);
    s.unacked += bytes.byteLength;
    if (s.unacked >= FLOW.ACK_EVERY) {
      link.send({ t: 'stream.ack', streamId, bytes: s.unacked });
      s.unacked = 0;
    }
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
      openStreams.set(streamId, { onData, ...(onEnd ? { onEnd } : {}), unacked: 0 });
      for (const bytes of early.get(streamId) ?? []) onData(bytes);
      early.delete(streamId);
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
