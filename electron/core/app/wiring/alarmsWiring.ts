import type { Tag } from '../../../../shared/domain';
import {
  AlarmEngine,
  HistorianAlarmJournal,
  MapTagCatalog,
  attachAuditTrail,
  createAlarmApiHandlers,
  openRunMarker,
  startDiskMonitor,
  withDefaultSystemDefinitions,
  type AlarmCommandHandlers,
  type AlarmStreamHandlers,
} from '../../alarms';
import { createNotifications, type Notifications } from '../../notify';
import {
  HistorianRecommendationStore,
  HistorianWorkOrderStore,
  MaintenanceService,
  anomalyScoreSource,
} from '../../maintenance';
import type { Historian } from '../../historian';
import type { Clock } from '../clock';
import {
  externalConditionPort,
  toExternalConditionUpdate,
  type AcquisitionService,
} from '../../acquisition/acquisitionService';
import type { VigilConfig } from '../config';
import type { DisposableStore } from '../disposable';
import type { EventBus } from '../eventBus';

export interface AlarmsWiring {
  engine: AlarmEngine;
  notifications: Notifications;
  maintenance: MaintenanceService;
  commands: AlarmCommandHandlers;
  streams: AlarmStreamHandlers;
  /** Tells the alarm engine which tags exist and to which asset they belong. */
  updateTags(tags: readonly Tag[]): void;
}

/**
 * Alarms (ISA-18.2), notifications and the maintenance decision queue, wired to the event bus
 * and to the historian's journals. The engine is attached before the maintenance service, so a
 * recommendation can cite the alarms its batch raised.
 */
export function wireAlarms(options: {
  clock: Clock;
  config: VigilConfig;
  events: EventBus;
  historian: Historian;
  /** Equipment alarms (OPC UA Alarms & Conditions) come from here; acknowledgements go back. */
  acquisition: AcquisitionService;
  disposables: DisposableStore;
  log: (message: string, err: unknown) => void;
}): AlarmsWiring {
  const { clock, config, events, historian, acquisition, disposables, log } = options;
  const catalog = new MapTagCatalog();
  const engine = disposables.add(
    new AlarmEngine({
      clock,
      catalog,
      events,
      journal: new HistorianAlarmJournal(historian.journals.alarms),
      config: { ...config.alarms, definitions: withDefaultSystemDefinitions(config.alarms.definitions) },
      externalPort: externalConditionPort(acquisition),
      onError: log,
    }),
  );
  disposables.add(engine.attach(events));
  disposables.add(
    acquisition.onCondition((event) => {
      try {
        engine.applyExternalCondition(toExternalConditionUpdate(event));
      } catch (err) {
        log('an equipment alarm could not be applied', err);
      }
    }),
  );
  const notifications = disposables.add(
    createNotifications({
      clock,
      config: config.notifications,
      events,
      getAlarm: (id) => engine.find(id),
      floodStatus: () => engine.floodStatus(),
    }),
  );
  const maintenance = disposables.add(
    new MaintenanceService({
      clock,
      config: config.maintenance,
      recommendations: new HistorianRecommendationStore(historian.journals),
      workOrders: new HistorianWorkOrderStore(historian.journals),
      events,
      relatedAlarms: (assetId) =>
        engine.list({ assetId }).map((a) => ({ alarmId: a.id, correlationId: a.correlationId })),
    }),
  );
  disposables.add(maintenance.attach(events, (tagId) => anomalyScoreSource(tagId)));
  disposables.add(attachAuditTrail(events, historian.journals.audit, log));

  // A run marker left behind means the previous core did not shut down: raise "core restarted".
  const marker = disposables.add(openRunMarker(config.dataDir, clock.now()));
  if (marker.previousRun === 'crashed') {
    engine.pulseSystem(
      'core_restarted',
      '',
      `The previous core run (${marker.previousDetail ?? 'unknown'}) ended without a shutdown`,
    );
  }
  disposables.add(
    startDiskMonitor({
      clock,
      path: config.dataDir,
      minFreeBytes: config.minFreeDiskBytes,
      minFreeFraction: 0.05,
      onReading: (r) =>
        engine.setSystemCondition('disk_low', r.path, r.low, {
          detail: `${Math.round(r.freeBytes / 1024 ** 2)} MB free on ${r.path}`,
        }),
      onError: (err) => log('disk check failed', err),
    }),
  );
  const api = createAlarmApiHandlers({ engine, notifications, maintenance, events, clock, onError: log });
  return {
    engine,
    notifications,
    maintenance,
    commands: api.commands,
    streams: api.streams,
    updateTags(tags) {
      for (const tag of tags) catalog.add(tag.id, tag.assetId);
      engine.refreshCatalog();
    },
  };
}
