import WebSocket from 'ws';
import { createClient, type ClientLink, type HostMessage, type WatchfloorApi } from '../../shared/rpc';

/** The renderer's typed client, over a real WebSocket from Node. */
export async function connectClient(url: string, headers: Record<string, string> = {}): Promise<{ api: WatchfloorApi; ws: WebSocket }> {
  const ws = new WebSocket(url, { headers });
  ws.binaryType = 'nodebuffer';
  const messageListeners: ((m: HostMessage) => void)[] = [];
  const byteListeners: ((b: Uint8Array) => void)[] = [];
  const closeListeners: ((r: string) => void)[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) for (const l of byteListeners) l(new Uint8Array(data));
    else for (const l of messageListeners) l(JSON.parse(String(data)) as HostMessage);
  });
  ws.on('close', (code) => closeListeners.forEach((l) => l(`closed ${code}`)));
  const link: ClientLink = {
    send: (m) => ws.send(JSON.stringify(m)),
    onMessage: (l) => messageListeners.push(l),
    onBytes: (l) => byteListeners.push(l),
    onClose: (l) => closeListeners.push(l),
  };
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { api: createClient(link), ws };
}

/** Tries to open a WebSocket; resolves with the HTTP status of a refusal, or 101 when accepted. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', (e) => {
      const m = /Unexpected server response: (\d+)/.exec(String(e.message));
      if (m) resolve(Number(m[1]));
      else reject(e);
    });
  });
}
