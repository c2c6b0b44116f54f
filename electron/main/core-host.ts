/**
 * The core host: an Electron utility process that runs the host-agnostic core, so the database
 * and every service stay out of the main process (which must never block) and out of the
 * renderer (which must never touch Node). The main process sends `connect` with a window's two
 * ports, `disconnect` when that window goes, and `shutdown` when the app quits.
 *
 * Arguments: --data-dir=DIR (required), --native-dir=DIR (the Electron-ABI addon tree, if built).
 */
import type { Core } from '../core';
import { electronAbiCounterpart, printPdfThroughMain, servePorts, type CoreHostReport, type CoreHostRequest, type PortConnection } from './core-host-link';

const parentPort = process.parentPort;
const report = (message: CoreHostReport) => parentPort.postMessage(message);
/** PDF export: only the main process can print with Chromium, so the core asks it. */
const pdf = printPdfThroughMain(report);

function argument(name: string): string | null {
  const prefix = `--${name}=`;
  const found = process.argv.find((a) => a.startsWith(prefix));
  return found ? found.slice(prefix.length) : null;
}

const nativeDir = argument('native-dir');
if (nativeDir) {
  // Before the core (and with it better-sqlite3) is loaded: see electronAbiCounterpart.
  const dlopen = process.dlopen.bind(process);
  process.dlopen = (...args: Parameters<typeof process.dlopen>) => {
    args[1] = electronAbiCounterpart(args[1], nativeDir) ?? args[1];
    return dlopen(...args);
  };
}

/** The main process sends the keychain's vault key (or why there is none) before anything else. */
const vaultKey = new Promise<Extract<CoreHostRequest, { type: 'vault-key' }>>((resolve) => {
  const listener = (event: { data: unknown }) => {
    const request = event.data as CoreHostRequest | null;
    if (request?.type !== 'vault-key') return;
    parentPort.off('message', listener);
    resolve(request);
  };
  parentPort.on('message', listener);
});

async function start(): Promise<Core> {
  const dataDir = argument('data-dir');
  if (!dataDir) throw new Error('the core host was started without --data-dir');
  const { createCore } = await import('../core');
  const { passphraseKeys } = await import('../core/secrets');
  const keychain = await vaultKey;
  const key = keychain.key ? Buffer.from(keychain.key, 'hex') : null;
  const core = createCore({
    dataDir,
    host: 'electron',
    printPdf: pdf.printPdf,
    vaultKeys: key ? { kind: 'os-keychain', getKey: () => Promise.resolve(Buffer.from(key)) } : passphraseKeys,
  });
  if (keychain.reason) core.log.warn(keychain.reason);
  return core;
}

function serve(core: Core): void {
  const connections = new Map<number, PortConnection>();
  parentPort.on('message', (event) => {
    const request = event.data as CoreHostRequest | null;
    switch (request?.type) {
      case 'connect': {
        const [control, bytes] = event.ports;
        if (!control || !bytes) return;
        connections.get(request.id)?.close();
        connections.set(request.id, servePorts(core, control, bytes, () => connections.delete(request.id)));
        return;
      }
      case 'disconnect':
        connections.get(request.id)?.close();
        return;
      case 'print-pdf-result':
        pdf.settle(request);
        return;
      case 'shutdown':
        for (const connection of [...connections.values()]) connection.close();
        core.close();
        process.exit(0);
    }
  });
  report({ type: 'ready' });
}

start().then(serve, (error: unknown) => {
  // Restarting would fail the same way: say why, and let the main process end this process.
  report({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
  setTimeout(() => process.exit(1), 5_000);
});
