/**
 * The desktop shell's rules, checked without Electron: which pages, requests, links and
 * permissions the main process allows, how errors cross contextBridge, and which menu commands
 * the preload lets through to the page.
 */
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromBridge, toBridgedError } from '../../shared/bridge';
import { ApiError } from '../../shared/contract';
import { isMenuCommand } from '../../shared/menu';
import type { WatchfloorApi } from '../../shared/rpc';
import {
  contentSecurityPolicy,
  devServerFrom,
  externalLink,
  isAllowedRequest,
  isAppPage,
  isPermissionAllowed,
  type AppPages,
} from '../../electron/main/security-policy';

const rendererDir = join(sep, 'opt', 'Watchfloor', 'resources', 'app.asar', 'out', 'renderer');
const packaged: AppPages = { rendererIndex: join(rendererDir, 'index.html'), devServer: null };
const fileUrl = (path: string) => pathToFileURL(path).href;

describe('pages the app trusts', () => {
  it('is only our renderer index, with any hash or query', () => {
    expect(isAppPage(fileUrl(packaged.rendererIndex), packaged)).toBe(true);
    expect(isAppPage(`${fileUrl(packaged.rendererIndex)}#/runbooks`, packaged)).toBe(true);
    expect(isAppPage(fileUrl(join(rendererDir, 'other.html')), packaged)).toBe(false);
    expect(isAppPage(fileUrl(join(sep, 'tmp', 'index.html')), packaged)).toBe(false);
    expect(isAppPage('https://example.com/', packaged)).toBe(false);
    expect(isAppPage('not a url', packaged)).toBe(false);
  });

  it('accepts a dev server only on loopback and only unpackaged', () => {
    expect(devServerFrom('http://localhost:5173/', false)?.origin).toBe('http://localhost:5173');
    expect(devServerFrom('http://localhost:5173/', true)).toBeNull();
    expect(devServerFrom('http://10.0.0.2:5173/', false)).toBeNull();
    expect(devServerFrom('https://localhost:5173/', false)).toBeNull();
    const dev: AppPages = { ...packaged, devServer: new URL('http://localhost:5173/') };
    expect(isAppPage('http://localhost:5173/', dev)).toBe(true);
    expect(isAppPage('http://localhost:5174/', dev)).toBe(false);
  });
});

describe('requests the app lets a page make', () => {
  it('loads files only from the renderer folder', () => {
    expect(isAllowedRequest(fileUrl(join(rendererDir, 'assets', 'index-abc.js')), packaged)).toBe(true);
    expect(isAllowedRequest(fileUrl(join(sep, 'etc', 'passwd')), packaged)).toBe(false);
    expect(isAllowedRequest(fileUrl(join(rendererDir, '..', 'main', 'index.js')), packaged)).toBe(false);
    expect(isAllowedRequest(`${fileUrl(rendererDir)}-evil/x.js`, packaged)).toBe(false);
  });

  it('refuses anything remote', () => {
    expect(isAllowedRequest('https://example.com/x.js', packaged)).toBe(false);
    expect(isAllowedRequest('ws://127.0.0.1:9999/', packaged)).toBe(false);
    expect(isAllowedRequest('data:image/png;base64,AAAA', packaged)).toBe(true);
  });

  it('allows the dev server in development', () => {
    const dev: AppPages = { ...packaged, devServer: new URL('http://localhost:5173/') };
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', dev)).toBe(true);
    expect(isAllowedRequest('http://localhost:8080/', dev)).toBe(false);
  });

  it('sends a strict Content-Security-Policy', () => {
    const csp = contentSecurityPolicy(packaged);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("object-src 'none'");
  });
});

describe('links and permissions', () => {
  it('opens only http(s) links externally', () => {
    expect(externalLink('https://runbooks.example.com/a?b=c')).toBe('https://runbooks.example.com/a?b=c');
    expect(externalLink('file:///etc/passwd')).toBeNull();
    expect(externalLink('javascript:alert(1)')).toBeNull();
    expect(externalLink('smb://share/x')).toBeNull();
    expect(externalLink('https://user:pw@example.com/')).toBeNull();
  });

  it('grants clipboard writing to our page and nothing else to anyone', () => {
    const page = fileUrl(packaged.rendererIndex);
    expect(isPermissionAllowed('clipboard-sanitized-write', page, packaged)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://example.com/', packaged)).toBe(false);
    expect(isPermissionAllowed('clipboard-read', page, packaged)).toBe(false);
    expect(isPermissionAllowed('media', page, packaged)).toBe(false);
    expect(isPermissionAllowed('notifications', page, packaged)).toBe(false);
  });
});

describe('errors across contextBridge', () => {
  it('arrive in the page as ApiErrors with their code and field issues', async () => {
    const original = new ApiError({ code: 'invalid_arguments', message: 'Invalid arguments', issues: [{ path: 'name', message: 'an environment needs a name' }] });
    // contextBridge copies plain objects whole (as structuredClone does) and Errors as message only.
    const crossed = structuredClone(toBridgedError(original));
    const bridged = { call: () => Promise.reject(crossed) } as unknown as WatchfloorApi;
    const error = await fromBridge(bridged).call('app.info', {}).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'invalid_arguments', message: 'Invalid arguments', issues: [{ path: 'name' }] });
  });

  it('makes any other failure an internal ApiError', async () => {
    const crossed = structuredClone(toBridgedError(new TypeError('port is closed')));
    const bridged = { call: () => Promise.reject(crossed) } as unknown as WatchfloorApi;
    await expect(fromBridge(bridged).call('app.info', {})).rejects.toMatchObject({ code: 'internal', message: 'port is closed' });
  });
});

describe('menu commands', () => {
  it('lets well-formed commands through and drops the rest', () => {
    expect(isMenuCommand({ type: 'navigate', section: 'runbooks' })).toBe(true);
    expect(isMenuCommand({ type: 'palette.open' })).toBe(true);
    expect(isMenuCommand({ type: 'runbooks.import', files: [{ name: 'a.md', text: '# A' }], errors: [] })).toBe(true);
    expect(isMenuCommand({ type: 'navigate', section: 'settings' })).toBe(false);
    expect(isMenuCommand({ type: 'runbooks.import', files: [{ name: 'a.md' }], errors: [] })).toBe(false);
    expect(isMenuCommand({ type: 'exec', command: 'rm -rf /' })).toBe(false);
    expect(isMenuCommand(null)).toBe(false);
  });
});
