import { contextBridge, ipcRenderer } from 'electron';
import type {
  CallResult,
  CommandInput,
  CommandName,
  CommandOutput,
  StreamMessage,
  StreamName,
  StreamParams,
  VigilBridge,
} from '../../shared/api';
import { IPC_CALL, IPC_STREAM, IPC_SUBSCRIBE, IPC_UNSUBSCRIBE } from '../../shared/ipc';

/*
 * Builds `window.vigil`: one named function per command and per stream of the shared contract,
 * nothing else. No ipcRenderer, no generic invoke(channel, ...): a script injected into the
 * page can call only these operations, and main validates every one of them again.
 *
 * The contract is imported for its types only, so this sandboxed CommonJS bundle requires
 * nothing but 'electron' at run time (sandboxed preloads cannot load node_modules). The
 * `satisfies VigilBridge` below fails to compile when a command or stream is added to the
 * contract and not here, or when something not in the contract is added here.
 */

function command<N extends CommandName>(
  name: N,
): (input: CommandInput<N>) => Promise<CallResult<CommandOutput<N>>> {
  return (input) => ipcRenderer.invoke(IPC_CALL, name, input) as Promise<CallResult<CommandOutput<N>>>;
}

const streamListeners = new Map<number, (message: unknown) => void>();
let lastStreamId = 0;

ipcRenderer.on(IPC_STREAM, (_event, id: unknown, message: unknown) => {
  if (typeof id !== 'number') return;
  streamListeners.get(id)?.(message);
});

function stream<S extends StreamName>(
  name: S,
): (params: StreamParams<S>, onMessage: (message: StreamMessage<S>) => void) => () => void {
  return (params, onMessage) => {
    const id = ++lastStreamId;
    streamListeners.set(id, onMessage as (message: unknown) => void);
    ipcRenderer.send(IPC_SUBSCRIBE, id, name, params);
    return () => {
      if (streamListeners.delete(id)) ipcRenderer.send(IPC_UNSUBSCRIBE, id);
    };
  };
}

const vigil = {
  listAssets: command('listAssets'),
  listTags: command('listTags'),
  getRecent: command('getRecent'),
  getHealth: command('getHealth'),
  getDataQuality: command('getDataQuality'),
  discoverEndpoints: command('discoverEndpoints'),
  listCertificates: command('listCertificates'),
  trustCertificate: command('trustCertificate'),
  rejectCertificate: command('rejectCertificate'),
  browseNode: command('browseNode'),
  addTags: command('addTags'),
  removeTags: command('removeTags'),
  getConnectionDetails: command('getConnectionDetails'),
  listDataGaps: command('listDataGaps'),
  addConnection: command('addConnection'),
  updateConnection: command('updateConnection'),
  removeConnection: command('removeConnection'),
  reconnectConnection: command('reconnectConnection'),
  writeValue: command('writeValue'),
  callMethod: command('callMethod'),
  listExternalConditions: command('listExternalConditions'),
  acknowledgeCondition: command('acknowledgeCondition'),
  confirmCondition: command('confirmCondition'),
  queryRaw: command('queryRaw'),
  queryChart: command('queryChart'),
  queryAggregates: command('queryAggregates'),
  lastValues: command('lastValues'),
  historianStats: command('historianStats'),
  exportCsv: command('exportCsv'),
  backupHistorian: command('backupHistorian'),
  listBackups: command('listBackups'),
  restoreHistorian: command('restoreHistorian'),
  listAlarms: command('listAlarms'),
  acknowledgeAlarms: command('acknowledgeAlarms'),
  resetAlarm: command('resetAlarm'),
  shelveAlarm: command('shelveAlarm'),
  unshelveAlarm: command('unshelveAlarm'),
  commentAlarm: command('commentAlarm'),
  setAlarmOutOfService: command('setAlarmOutOfService'),
  returnAlarmToService: command('returnAlarmToService'),
  getFloodStatus: command('getFloodStatus'),
  queryAlarmJournal: command('queryAlarmJournal'),
  getAlarmKpis: command('getAlarmKpis'),
  listAlarmDefinitions: command('listAlarmDefinitions'),
  upsertAlarmDefinition: command('upsertAlarmDefinition'),
  removeAlarmDefinition: command('removeAlarmDefinition'),
  listNotificationDeliveries: command('listNotificationDeliveries'),
  retryNotificationDelivery: command('retryNotificationDelivery'),
  listRecommendations: command('listRecommendations'),
  approveRecommendation: command('approveRecommendation'),
  rejectRecommendation: command('rejectRecommendation'),
  deferRecommendation: command('deferRecommendation'),
  listRejectionLabels: command('listRejectionLabels'),
  listWorkOrders: command('listWorkOrders'),
  updateWorkOrderStatus: command('updateWorkOrderStatus'),
  exportWorkOrders: command('exportWorkOrders'),
  subscribeLiveSamples: stream('liveSamples'),
  subscribeAlarms: stream('alarms'),
  subscribeNotifications: stream('notifications'),
  subscribeDecisions: stream('decisions'),
} satisfies VigilBridge;

contextBridge.exposeInMainWorld('vigil', vigil);
