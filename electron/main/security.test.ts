import { describe, expect, it, vi } from 'vitest';
import type { Session } from 'electron';
import { createAppUrlMatcher } from './appOrigin';
import { contentSecurityPolicy } from '../../shared/csp';
import { hardenWebContents, installSessionSecurity, withContentSecurityPolicy } from './security';
import { captureLog, FakeWebContents } from './testing/fakes';

function directives(csp: string): Map<string, string> {
  return new Map(
    csp.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name!, sources.join(' ')] as const;
    }),
  );
}

describe('content security policy', () => {
  it('is strict in production', () => {
    const csp = directives(contentSecurityPolicy());
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(contentSecurityPolicy()).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy()).not.toContain('unsafe-inline');
  });

  it('lets the Vite dev server work in development only', () => {
    const csp = directives(contentSecurityPolicy({ devServerUrl: 'http://localhost:5173/' }));
    expect(csp.get('script-src')).toBe("'self' 'unsafe-inline'");
    expect(csp.get('connect-src')).toBe("'self' ws://localhost:5173");
    expect(csp.get('object-src')).toBe("'none'");
  });
});

describe('session security', () => {
  function fakeSession() {
    let headersListener: ((details: unknown, callback: (response: unknown) => void) => void) | null = null;
    let requestHandler: ((...args: unknown[]) => void) | null = null;
    let checkHandler: ((...args: unknown[]) => boolean) | null = null;
    const session = {
      webRequest: {
        onHeadersReceived: (listener: typeof headersListener) => (headersListener = listener),
      },
      setPermissionRequestHandler: (handler: typeof requestHandler) => (requestHandler = handler),
      setPermissionCheckHandler: (handler: typeof checkHandler) => (checkHandler = handler),
    };
    return {
      session: session as unknown as Session,
      respond(url: string, responseHeaders: Record<string, string[]>) {
        let result: unknown;
        headersListener!({ url, responseHeaders }, (response) => (result = response));
        return result as { responseHeaders?: Record<string, string[]> };
      },
      requestPermission(permission: string) {
        const callback = vi.fn();
        requestHandler!({}, permission, callback, { requestingUrl: 'vigil://app/index.html' });
        return callback;
      },
      checkPermission: (permission: string) => checkHandler!(null, permission, 'vigil://app', {}),
    };
  }

  it('puts the CSP on app responses, replacing any policy they carried', () => {
    const fake = fakeSession();
    const csp = contentSecurityPolicy();
    installSessionSecurity(fake.session, {
      csp,
      isAppUrl: createAppUrlMatcher('vigil://app/index.html'),
      log: captureLog(),
    });
    const response = fake.respond('vigil://app/index.html', {
      'content-type': ['text/html'],
      'Content-Security-Policy': ["default-src *; script-src 'unsafe-eval'"],
    });
    expect(response.responseHeaders).toEqual({
      'content-type': ['text/html'],
      'Content-Security-Policy': [csp],
    });
  });

  it('denies every permission request and check', () => {
    const fake = fakeSession();
    const log = captureLog();
    installSessionSecurity(fake.session, { csp: 'x', isAppUrl: () => true, log });
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal']) {
      expect(fake.requestPermission(permission)).toHaveBeenCalledWith(false);
      expect(fake.checkPermission(permission)).toBe(false);
    }
    expect(log.text('warn')).toContain('Denied the permission "media"');
  });

  it('keeps headers intact when merging the CSP into none', () => {
    expect(withContentSecurityPolicy(undefined, 'p')).toEqual({ 'Content-Security-Policy': ['p'] });
  });
});

describe('web contents hardening', () => {
  function hardened() {
    const contents = new FakeWebContents();
    const log = captureLog();
    hardenWebContents(contents.asWebContents(), {
      isAppUrl: createAppUrlMatcher('vigil://app/index.html'),
      log,
    });
    const navigate = (url: string): boolean => {
      const event = { url, preventDefault: vi.fn() };
      contents.emit('will-navigate', event);
      return event.preventDefault.mock.calls.length > 0;
    };
    return { contents, log, navigate };
  }

  it('refuses navigation away from the app', () => {
    const { navigate, log } = hardened();
    expect(navigate('https://evil.example/phish')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('vigil://other/index.html')).toBe(true);
    expect(log.text('warn')).toContain('Refused navigation to https://evil.example/phish');
  });

  it('allows navigation within the app itself', () => {
    expect(hardened().navigate('vigil://app/index.html')).toBe(false);
  });

  it('denies every new window', () => {
    const { contents } = hardened();
    expect(contents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'vigil://app/index.html' })).toEqual({ action: 'deny' });
  });

  it('refuses to attach a webview', () => {
    const { contents } = hardened();
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });
});
