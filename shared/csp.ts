/**
 * The renderer's Content-Security-Policy. No imports, so any host of the renderer (the headless
 * server too) can send the same policy and the end-to-end tests exercise it in Chromium.
 *
 * style-src has no 'unsafe-inline' in production: uPlot and React change styles through the
 * CSSOM (element.style), which CSP does not restrict; only <style> elements and style=""
 * attributes in markup would need it. Vite extracts CSS into files in production builds.
 * img-src/font-src allow data: because Vite inlines small assets as data: URLs.
 */
export function contentSecurityPolicy(options: { devServerUrl?: string } = {}): string {
  const dev = options.devServerUrl ? new URL(options.devServerUrl) : null;
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    // Dev only: Vite's React Refresh preamble is an inline module script.
    'script-src': dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    // Dev only: Vite injects CSS as <style> elements while serving.
    'style-src': dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    // Dev only: Vite's hot-reload WebSocket.
    'connect-src': dev ? ["'self'", `${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}`] : ["'self'"],
    'worker-src': ["'self'"],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
