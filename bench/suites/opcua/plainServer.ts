/*
 * The reference server of the opcua suite: a bare node-opcua server with N Double variables in one
 * object, each set with setValueFromSource `rateHz` times a second, and nothing else (no
 * playback, no fault gate, no history). Measuring Vigil against it tells what a node-opcua server
 * can deliver on this machine, the ceiling the simulator's bulk mode runs into.
 *
 *   node --import tsx bench/suites/opcua/plainServer.ts <tags> <rateHz>
 * prints "listening at opc.tcp://..." and, on SIGTERM, "STATS {ticks, skipped}" before exiting.
 */
import net from 'node:net';
import { DataType, OPCUAServer, StatusCodes, Variant, type UAVariable } from 'node-opcua';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function main() {
  const tags = Number(process.argv[2] ?? 10_000);
  const rateHz = Number(process.argv[3] ?? 10);
  const server = new OPCUAServer({
    port: await freePort(),
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    serverCapabilities: {
      // As the simulator: every change of an exception-based item is sent (see its server.ts).
      minSupportedSampleRate: 0,
      maxMonitoredItems: 1_000_000,
      maxMonitoredItemsPerSubscription: 200_000,
    },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace!;
  const namespace = addressSpace.getOwnNamespace();
  const folder = namespace.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Bulk' });
  const variables: UAVariable[] = [];
  for (let i = 0; i < tags; i++) {
    variables.push(
      namespace.addVariable({
        componentOf: folder,
        browseName: `Tag${i}`,
        nodeId: `s=Bulk.Tag${i}`,
        dataType: 'Double',
        value: { dataType: DataType.Double, value: 0 },
      }),
    );
  }
  await server.start();

  // Same pacing as the simulator's bulk driver: one tick spread over event-loop turns of 1,000
  // writes, a tick still running when the next is due makes that one skipped.
  let ticks = 0;
  let skipped = 0;
  let running = false;
  const started = Date.now();
  const timer = setInterval(() => {
    if (running) {
      skipped++;
      return;
    }
    running = true;
    const stamp = new Date();
    const t = (stamp.getTime() - started) / 1000;
    let i = 0;
    const slice = () => {
      const end = Math.min(tags, i + 1000);
      for (; i < end; i++) {
        const value = new Variant({ dataType: DataType.Double, value: Math.sin(t * 0.3 + i) });
        variables[i]!.setValueFromSource(value, StatusCodes.Good, stamp);
      }
      if (i < tags) setImmediate(slice);
      else {
        ticks++;
        running = false;
      }
    };
    slice();
  }, 1000 / rateHz);

  process.stdout.write(`listening at ${server.getEndpointUrl()}\n`);
  process.once('SIGTERM', () => {
    clearInterval(timer);
    process.stdout.write(`STATS ${JSON.stringify({ ticks, skipped })}\n`);
    void server.shutdown(0).finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
