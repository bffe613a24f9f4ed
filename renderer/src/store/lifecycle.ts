import type { RendererClient } from '../transport/types';
import type { AppStore } from './appStore';

export const HEALTH_POLL_MS = 3000;

/**
 * Starts what the console does on its own: follow the transport's state, load the asset list,
 * poll getHealth every few seconds (one call at a time). Returns the function that stops it all.
 */
export function startConsole(
  store: AppStore,
  client: Pick<RendererClient, 'status'>,
  options: { healthPollMs?: number } = {},
): () => void {
  const actions = store.getState();
  actions.setTransport(client.status.get());
  const stopFollowing = client.status.subscribe((status) => store.getState().setTransport(status));

  void actions.loadAssets();

  let polling = false;
  const poll = async () => {
    if (polling) return; // a slow core must not pile up health calls
    polling = true;
    try {
      await store.getState().refreshHealth();
    } finally {
      polling = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), options.healthPollMs ?? HEALTH_POLL_MS);

  return () => {
    clearInterval(timer);
    stopFollowing();
  };
}
