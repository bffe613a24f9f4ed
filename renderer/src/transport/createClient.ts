import type { VigilBridge } from '../../../shared/api';
import { createBridgeClient } from './bridgeClient';
import type { RendererClient } from './types';
import { consoleSocketUrl, createWsClient } from './wsClient';

declare global {
  interface Window {
    /** Put there by the Electron preload; absent in the headless console. */
    vigil?: VigilBridge;
  }
}

/** The session token the headless server writes into index.html (`<meta name="vigil-token">`). */
export function readSessionToken(doc: Document): string {
  return doc.querySelector<HTMLMetaElement>('meta[name="vigil-token"]')?.content.trim() ?? '';
}

/**
 * In Electron the preload exposes `window.vigil`; anywhere else (headless `vigil serve`, a wall
 * display, the end-to-end tests) the page talks to the server that served it over WebSocket.
 */
export function createClient(win: Window = window): RendererClient {
  if (win.vigil) return createBridgeClient(win.vigil);
  return createWsClient(consoleSocketUrl(win.location), readSessionToken(win.document));
}
