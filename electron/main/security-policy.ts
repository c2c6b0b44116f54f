/**
 * What the desktop app lets its pages load, open and ask for, as plain functions the main process
 * wires into Electron (and the unit tests check without it). The only page is the renderer's own
 * index.html from disk (or, in development, electron-vite's dev server on loopback); nothing
 * remote is ever loaded.
 */
import { fileURLToPath } from 'node:url';
import { dirname, isAbsolute, relative, sep } from 'node:path';

export interface AppPages {
  /** Absolute path of out/renderer/index.html. */
  rendererIndex: string;
  /** electron-vite's dev server, in development only. */
  devServer: URL | null;
}

/** The dev server, if the environment names one on loopback and the app is not packaged. */
export function devServerFrom(value: string | undefined, isPackaged: boolean): URL | null {
  if (isPackaged || !value) return null;
  const url = parse(value);
  if (!url || url.protocol !== 'http:') return null;
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) ? url : null;
}

/** Is `url` our renderer's page (any hash or query), and nothing else? */
export function isAppPage(url: string, pages: AppPages): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (pages.devServer) return parsed.origin === pages.devServer.origin;
  return parsed.protocol === 'file:' && samePath(filePath(parsed), pages.rendererIndex);
}

/**
 * May the page load `url`? Files only from the renderer's own folder (a file: page could
 * otherwise read any local file), in-page data and blobs, DevTools, and the dev server.
 */
export function isAllowedRequest(url: string, pages: AppPages): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  switch (parsed.protocol) {
    case 'file:': {
      const path = filePath(parsed);
      return path !== null && isInside(path, dirname(pages.rendererIndex));
    }
    case 'data:':
    case 'blob:':
    case 'devtools:':
      return true;
    case 'http:':
    case 'ws:':
      return pages.devServer !== null && parsed.host === pages.devServer.host;
    default:
      return false;
  }
}

/** A link the operator may open in the system browser: http(s) only, no credentials in it. */
export function externalLink(url: string): string | null {
  const parsed = parse(url);
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return null;
  if (parsed.username || parsed.password) return null;
  return parsed.href;
}

/**
 * Permissions a page of ours may have. Writing to the clipboard is how an operator copies a
 * runbook command; every other permission (camera, notifications, geolocation, …) is refused.
 */
export function isPermissionAllowed(permission: string, requestingUrl: string | undefined, pages: AppPages): boolean {
  return permission === 'clipboard-sanitized-write' && requestingUrl !== undefined && isAppPage(requestingUrl, pages);
}

/** Sent as a header on top of the renderer's own <meta> policy; where both apply, both hold. */
export function contentSecurityPolicy(pages: AppPages): string {
  const connect = pages.devServer ? `'self' ws://${pages.devServer.host}` : "'self'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function filePath(url: URL): string | null {
  try {
    return fileURLToPath(url);
  } catch {
    return null;
  }
}

function samePath(a: string | null, b: string): boolean {
  return a !== null && relative(a, b) === '';
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel.split(sep)[0] !== '..' && !isAbsolute(rel);
}
