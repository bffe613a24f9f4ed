import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';

/**
 * The renderer is served from `vigil://app/` instead of file://: a file:// page shares its
 * origin with every local file and can fetch any of them, while this scheme serves only the
 * built renderer folder and gives the page a real origin that IPC sender checks can compare.
 */
export const APP_SCHEME = 'vigil';
export const APP_HOST = 'app';
export const APP_ORIGIN_URL = `${APP_SCHEME}://${APP_HOST}/`;
export const APP_INDEX_URL = `${APP_ORIGIN_URL}index.html`;

/**
 * standard: relative URLs, an origin and the same-origin policy work as for https;
 * secure: treated like https (no mixed-content downgrade); supportFetchAPI: fetch() of app assets;
 * codeCache: V8 code cache for the bundle. Deliberately not bypassCSP and not corsEnabled.
 * Must be registered before the app is ready (Electron docs: protocol.registerSchemesAsPrivileged).
 */
export const appScheme: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeTypeOf(file: string): string {
  return mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a `vigil://app/...` URL to a file inside rootDir, or null when the URL is not an app URL
 * or would leave rootDir (`..`, encoded `%2e%2e` / `%2f`, backslashes, NUL bytes, absolute paths).
 */
export function resolveAppFile(rootDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null; // Malformed percent-encoding.
  }
  // A backslash is a separator on Windows: refuse it everywhere rather than reason per platform.
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const wanted = pathname.replace(/^\/+/, '') || 'index.html';
  const root = resolve(rootDir);
  const file = resolve(root, wanted);
  const inside = relative(root, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return null;
  return file;
}

export interface AppProtocolOptions {
  /** Content-Security-Policy sent with every response (also enforced through webRequest). */
  csp: string;
}

function textResponse(status: number, text: string, csp: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': csp },
  });
}

/**
 * The protocol.handle handler for the app scheme: serves files of rootDir read-only.
 * A path without a file extension that does not exist gets index.html, so a reload on a
 * client-side route still shows the app.
 */
export function createAppProtocolHandler(
  rootDir: string,
  options: AppProtocolOptions,
): (request: Request) => Promise<Response> {
  const { csp } = options;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, 'Method not allowed', csp);
    }
    const file = resolveAppFile(rootDir, request.url);
    if (!file) return textResponse(404, 'Not found', csp);
    let served = file;
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'EISDIR') && extname(file) === '') {
        served = resolve(rootDir, 'index.html');
        try {
          body = await readFile(served);
        } catch {
          return textResponse(404, 'Not found', csp);
        }
      } else if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
        return textResponse(404, 'Not found', csp);
      } else {
        return textResponse(500, 'Could not read the file', csp);
      }
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': mimeTypeOf(served),
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    });
  };
}
