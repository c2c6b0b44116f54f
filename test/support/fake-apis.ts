/**
 * Loopback stand-ins for the two remote APIs the kubectl and wrangler terminals talk to, which
 * cannot run here: just enough of a Kubernetes API server for `kubectl get pods`, and of the
 * Cloudflare API for `wrangler secret list`. Both record every request, so a test can check what
 * the real kubectl and wrangler sent, and to where.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  authorization: string | null;
}

interface Listening {
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeKubeApi extends Listening {
  /** The server's self-signed certificate (for 127.0.0.1), to name as the cluster's certificate-authority. */
  caFile: string;
}

/** A Kubernetes API server over TLS on 127.0.0.1: discovery for core/v1 pods, and an empty pod list in any namespace. */
export async function startFakeKubeApi(dir: string): Promise<FakeKubeApi> {
  const keyFile = join(dir, 'apiserver.key');
  const caFile = join(dir, 'apiserver.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', caFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const requests: RecordedRequest[] = [];
  const server = createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (req, res) => {
    record(requests, req);
    const path = (req.url ?? '').split('?')[0];
    if (path === '/api') return json(res, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
    if (path === '/apis') return json(res, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (path === '/api/v1') {
      return json(res, { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] }] });
    }
    if (/^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(path ?? '')) return json(res, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });
    json(res, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }, 404);
  });
  return { ...(await listen(server, requests)), caFile };
}

/** The Cloudflare API's envelope around `secret list` (any script, any account); 404 for anything else. */
export async function startFakeCloudflareApi(): Promise<Listening> {
  const requests: RecordedRequest[] = [];
  const server = createHttpServer((req, res) => {
    record(requests, req);
    if (/^\/client\/v4\/accounts\/[0-9a-f]{32}\/workers\/scripts\/[^/]+\/secrets$/.test(req.url ?? '')) {
      return json(res, { success: true, errors: [], messages: [], result: [{ name: 'DB_PASSWORD', type: 'secret_text' }] });
    }
    json(res, { success: false, errors: [{ code: 7003, message: `no route for ${req.url}` }], messages: [], result: null }, 404);
  });
  return listen(server, requests);
}

/** A TCP listener that only counts who connects: proof that nothing tried to reach it. */
export async function startConnectionCounter(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function record(requests: RecordedRequest[], req: IncomingMessage): void {
  requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization ?? null });
}

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function listen(server: Server, requests: RecordedRequest[]): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
