import type { Session, WebContents } from 'electron';
import type { Log } from './log';

type Headers = Record<string, string[]>;

/** Response headers with our Content-Security-Policy in place of any the response carried. */
export function withContentSecurityPolicy(headers: Headers | undefined, csp: string): Headers {
  const result: Headers = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [csp];
  return result;
}

export interface SessionSecurityOptions {
  csp: string;
  /** Responses of the app's pages (vigil://app or the dev server) get the CSP. */
  isAppUrl(url: string): boolean;
  log: Log;
}

/**
 * Applies the CSP to the app's responses and denies every permission request (camera,
 * geolocation, notifications, ...): the console needs none, and a compromised page should not
 * be able to ask for any.
 */
export function installSessionSecurity(session: Session, options: SessionSecurityOptions): void {
  const { csp, isAppUrl, log } = options;
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url)) {
      callback({});
      return;
    }
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, csp) });
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    log.warn(`Denied the permission "${permission}" requested by ${details.requestingUrl}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

/**
 * Applied to every WebContents the app creates: navigation away from the app, new windows
 * and <webview> are refused. Navigation within the app's own origin stays possible (a
 * development hot reload navigates to the same page).
 */
export function hardenWebContents(
  contents: WebContents,
  options: { isAppUrl(url: string): boolean; log: Log },
): void {
  const { isAppUrl, log } = options;
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    log.warn(`Refused navigation to ${event.url}`);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('Refused to attach a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn(`Refused to open a new window for ${url}`);
    return { action: 'deny' };
  });
}
