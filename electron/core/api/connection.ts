/**
 * Serves one renderer connection over any link: the headless host adapts a WebSocket to it, the
 * Electron core host a pair of MessagePorts. Calls go through `dispatch`, core events are pushed,
 * and byte streams get flow control (pause above FLOW.HIGH unacknowledged bytes, resume below
 * FLOW.LOW).
 */
import { isStreamName, streams as streamTable, type ApiErrorShape } from '../../../shared/contract';
import { FLOW, encodeStreamFrame, type ClientMessage, type HostMessage } from '../../../shared/rpc';
import type { Core, StreamSink, StreamSource } from '..';
import { dispatch } from './dispatch';

/**
 * Output is sent in frames of up to BATCH_BYTES, gathered for at most BATCH_MS: a pty hands over
 * about 4 KB per read, and one frame per read spent half the host's time in writev (measured with
 * `npm run bench`). A keystroke's echo waits at most BATCH_MS.
 */
export const BATCH_BYTES = 64 * 1024;
export const BATCH_MS = 4;

export interface HostLink {
  send(message: HostMessage): void;
  sendBytes(frame: Uint8Array): void;
}

export interface Connection {
  /** Feed one message received from the client. Malformed messages are answered or dropped. */
  receive(raw: unknown): void;
  close(): void;
}

export function serveConnection(core: Core, link: HostLink): Connection {
  let closed = false;
  let nextStreamId = 1;
  const open = new Map<number, { source: StreamSource | null; unacked: number; paused: boolean }>();

  const unsubscribe = core.events.subscribe((name, payload) => {
    if (!closed) link.send({ t: 'event', name, payload });
  });

  const fail = (id: number, error: ApiErrorShape) => link.send({ t: 'result', id, ok: false, error });

  function openStream(id: number, name: string, params: unknown): void {
    if (!isStreamName(name)) return fail(id, { code: 'unknown_method', message: `There is no stream "${name}".` });
    const parsed = streamTable[name].params.safeParse(params ?? {});
    if (!parsed.success) {
      return fail(id, { code: 'invalid_arguments', message: `Invalid arguments for stream ${name}: ${parsed.error.issues[0]?.message ?? ''}` });
    }
    const streamId = nextStreamId++;
    const state: { source: StreamSource | null; unacked: number; paused: boolean } = { source: null, unacked: 0, paused: false };
    open.set(streamId, state);
    link.send({ t: 'result', id, ok: true, value: { streamId } });
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (batchBytes === 0) return;
      const chunks = batch;
      const total = batchBytes;
      batch = [];
      batchBytes = 0;
      if (closed || !open.has(streamId)) return;
      const frame = new Uint8Array(4 + total);
      new DataView(frame.buffer).setUint32(0, streamId);
      let at = 4;
      for (const c of chunks) {
        frame.set(c, at);
        at += c.byteLength;
      }
      link.sendBytes(frame);
    };
    const opener = core.streams[name] as (params: unknown, sink: StreamSink) => StreamSource;
    state.source = opener(parsed.data, {
      data(bytes) {
        if (closed || !open.has(streamId)) return;
        if (bytes.byteLength >= BATCH_BYTES && batchBytes === 0) {
          link.sendBytes(encodeStreamFrame(streamId, bytes));
        } else {
          // Copied: a source may reuse its buffer once `data` returns.
          batch.push(bytes.slice());
          batchBytes += bytes.byteLength;
          if (batchBytes >= BATCH_BYTES) flush();
          else timer ??= setTimeout(flush, BATCH_MS);
        }
        state.unacked += bytes.byteLength;
        if (!state.paused && state.unacked > FLOW.HIGH) {
          state.paused = true;
          state.source?.pause(); // a source that floods while opening is paused just below
        }
      },
      end(reason) {
        flush();
        if (open.delete(streamId) && !closed) link.send({ t: 'stream.end', streamId, reason });
      },
    });
    if (state.paused) state.source.pause();
    if (!open.has(streamId)) state.source.close(); // ended while opening
  }

  return {
    receive(raw) {
      if (closed) return;
      const message = raw as Partial<ClientMessage> | null;
      if (!message || typeof message !== 'object' || typeof message.t !== 'string') return;
      switch (message.t) {
        case 'call': {
          const { id, method, params } = message as Extract<ClientMessage, { t: 'call' }>;
          if (typeof id !== 'number') return;
          if (typeof method !== 'string') return fail(id, { code: 'unknown_method', message: 'A call needs a method name.' });
          void dispatch(core, method, params).then((result) => {
            if (!closed) link.send({ t: 'result', id, ...result } as HostMessage);
          });
          return;
        }
        case 'stream.open': {
          const { id, stream, params } = message as Extract<ClientMessage, { t: 'stream.open' }>;
          if (typeof id !== 'number') return;
          return openStream(id, String(stream), params);
        }
        case 'stream.ack': {
          const { streamId, bytes } = message as Extract<ClientMessage, { t: 'stream.ack' }>;
          const state = open.get(Number(streamId));
          if (!state || typeof bytes !== 'number') return;
          state.unacked = Math.max(0, state.unacked - bytes);
          if (state.paused && state.unacked < FLOW.LOW) {
            state.paused = false;
            state.source?.resume();
          }
          return;
        }
        case 'stream.close': {
          const streamId = Number((message as { streamId: unknown }).streamId);
          const state = open.get(streamId);
          if (!state) return;
          open.delete(streamId);
          state.source?.close();
          return;
        }
      }
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const state of open.values()) state.source?.close();
      open.clear();
    },
  };
}
