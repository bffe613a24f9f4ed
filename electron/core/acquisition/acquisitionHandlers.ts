import type { AcquisitionService } from './acquisitionService';
import type {
  AcquisitionCommandName,
  AcquisitionInput,
  AcquisitionOutput,
} from '../../../shared/acquisitionApi';

export type AcquisitionHandlers = {
  [N in AcquisitionCommandName]: (input: AcquisitionInput<N>) => Promise<AcquisitionOutput<N>>;
};

/**
 * The handlers of the commands in shared/acquisitionApi.ts, for createCoreApi's handler map once the
 * commands are in shared/api.ts. Inputs arrive parsed; failures are CoreErrors with a code.
 */
export function createAcquisitionHandlers(service: AcquisitionService): AcquisitionHandlers {
  return {
    discoverEndpoints: async ({ endpointUrl }) => service.discoverEndpoints(endpointUrl),
    listCertificates: async () => service.listCertificates(),
    trustCertificate: async ({ thumbprint }) => service.trustCertificate(thumbprint),
    rejectCertificate: async ({ thumbprint }) => service.rejectCertificate(thumbprint),
    browseNode: async ({ connectionId, nodeId, offset, limit }) =>
      service.source(connectionId).browse(nodeId, { offset, limit }),
    addTags: async (input) => service.addTags(input),
    removeTags: async ({ connectionId, tagIds }) => ({
      removed: await service.removeTags(connectionId, tagIds),
    }),
    getConnectionDetails: async ({ connectionId }) => service.connectionDetails(connectionId),
    listDataGaps: async ({ connectionId, sinceMs }) => {
      const sources = connectionId ? [service.source(connectionId)] : service.list();
      return sources
        .flatMap((s) => s.getGaps())
        .filter((g) => sinceMs === undefined || g.to >= sinceMs)
        .sort((a, b) => a.from - b.from);
    },
    addConnection: async (settings) => service.addConnection(settings),
    updateConnection: async (settings) => service.updateConnection(settings),
    removeConnection: async ({ connectionId }) => {
      await service.removeConnection(connectionId);
      return { removed: true as const };
    },
    reconnectConnection: async ({ connectionId }) => {
      const source = service.source(connectionId);
      await source.reconnect();
      return source.getStatus();
    },
    writeValue: async ({ connectionId, nodeId, value }) => {
      await service.source(connectionId).write(nodeId, value);
      return { ok: true as const };
    },
    callMethod: async ({ connectionId, objectId, methodId, inputArguments }) =>
      service.source(connectionId).call(objectId, methodId, inputArguments),
    listExternalConditions: async ({ connectionId }) => service.externalConditions(connectionId),
    acknowledgeCondition: async (input) => {
      await service.acknowledge(input);
      return { ok: true as const };
    },
    confirmCondition: async (input) => {
      await service.confirm(input);
      return { ok: true as const };
    },
  };
}
