import { ServerState, type OPCUAServer } from 'node-opcua';

/** How long dropConnections waits for the dropped channels to unregister. */
const CHANNEL_GONE_TIMEOUT_MS = 5_000;

type Channel = ReturnType<OPCUAServer['endpoints'][number]['getChannels']>[number];

function channelsOf(server: OPCUAServer): Channel[] {
  return server.endpoints.flatMap((endpoint) => endpoint.getChannels());
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until none of `channels` is registered any more; clients may already have new ones. */
async function waitUntilGone(server: OPCUAServer, channels: readonly Channel[]): Promise<void> {
  const deadline = Date.now() + CHANNEL_GONE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const live = new Set(channelsOf(server));
    if (!channels.some((c) => live.has(c))) return;
    await sleep(10);
  }
  throw new Error(
    `${channels.length} dropped channel(s) still registered after ${CHANNEL_GONE_TIMEOUT_MS} ms`,
  );
}

/**
 * Destroys the socket of every open secure channel without a CloseSecureChannel: to a client this
 * is a connection lost mid-stream. Sessions and subscriptions stay on the server, so a client can
 * reconnect and reactivate them. Resolves with how many channels were dropped once the server has
 * let go of them.
 */
export async function dropConnections(server: OPCUAServer): Promise<number> {
  const channels = channelsOf(server);
  for (const endpoint of server.endpoints) endpoint.abruptlyInterruptChannels();
  await waitUntilGone(server, channels);
  return channels.length;
}

/**
 * A restart as a client sees one, without rebuilding the address space: the listening socket
 * closes (connection attempts are refused), every channel drops, every session is closed with its
 * subscriptions deleted (a restarted server knows none of them), the server stays down
 * `downtimeMs`, then its ServerStatus says Running with a new StartTime and it listens on the same
 * port again.
 */
export async function restartServer(server: OPCUAServer, downtimeMs: number): Promise<void> {
  const engine = server.engine;
  const suspended = server.suspendEndPoints();
  const channels = channelsOf(server);
  for (const endpoint of server.endpoints) endpoint.abruptlyInterruptChannels();
  for (const session of engine.getSessions()) {
    engine.closeSession(session.authenticationToken, true, 'Terminated');
  }
  engine.setServerState(ServerState.Shutdown);
  await suspended;
  await waitUntilGone(server, channels);
  await sleep(downtimeMs);
  engine.serverStatus.startTime = new Date();
  engine.setServerState(ServerState.Running);
  await server.resumeEndPoints();
}
