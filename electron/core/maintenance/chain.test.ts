import { describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock';
import { EventBus } from '../app/eventBus';
import { AlarmEngine } from '../alarms/engine';
import { InMemoryAlarmJournal } from '../alarms/journal';
import { MapTagCatalog, batchOf } from '../alarms/testing';
import { createNotifications } from '../notify';
import type { DesktopNotification } from '../notify';
import { MaintenanceService } from './service';
import { anomalyScoreSource } from './signals';
import { InMemoryRecommendationStore, InMemoryWorkOrderStore } from './stores';

describe('anomaly scores from the detectors', () => {
  it('propose a recommendation when the asset score stays above the detector threshold', () => {
    const clock = new ManualClock(Date.UTC(2025, 4, 5, 12, 0));
    const bus = new EventBus((_e, err) => {
      throw err;
    });
    const maintenance = new MaintenanceService({
      clock,
      recommendations: new InMemoryRecommendationStore(),
      workOrders: new InMemoryWorkOrderStore(),
      events: bus,
    }); // default rules: persistent anomaly above 0.5 in 80 % of an hour
    maintenance.attach(bus, (tagId) => anomalyScoreSource(tagId, { id: 'streaming-detector', version: '3' }));
    for (let minute = 0; minute <= 60; minute += 5) {
      bus.emit(
        'scores',
        batchOf(
          [
            ['pump-7/anomaly_score', 0.8],
            ['pump-7/flow#anomaly', 0.9],
          ],
          clock.now(),
          `s-${minute}`,
        ),
      );
      clock.advance(5 * 60_000);
    }
    const [rec] = maintenance.list();
    expect(rec).toMatchObject({
      assetId: 'pump-7',
      kind: 'persistent_anomaly',
      correlationId: 's-55',
      evidence: { tags: ['pump-7/anomaly_score'], models: [{ id: 'streaming-detector', version: '3' }] },
    });
    expect(anomalyScoreSource('pump-7/flow#anomaly')).toBeUndefined();
  });
});

describe('one correlation id from the sample batch to the work order', () => {
  it('follows batch -> alarm -> notification -> recommendation -> work order', async () => {
    const clock = new ManualClock(Date.UTC(2025, 4, 5, 12, 0));
    const bus = new EventBus((_e, err) => {
      throw err;
    });
    const engine = new AlarmEngine({
      clock,
      journal: new InMemoryAlarmJournal(),
      catalog: new MapTagCatalog({ 'engine-3/rul': 'engine-3' }),
      config: {
        definitions: [
          {
            id: 'engine-3.rul',
            kind: 'rul_below',
            tagId: 'engine-3/rul',
            limit: 50,
            priority: 'high',
            message: 'RUL below 50 cycles',
          },
        ],
      },
      events: bus,
    });
    engine.attach(bus);
    const desktop: DesktopNotification[] = [];
    bus.on('notification.desktop', (n) => desktop.push(n));
    const notifications = createNotifications({ clock, events: bus, getAlarm: (id) => engine.find(id) });
    const maintenance = new MaintenanceService({
      clock,
      config: {
        rules: [{ id: 'rul', kind: 'rul_below', threshold: 50, suggestedAction: 'Plan the overhaul' }],
      },
      recommendations: new InMemoryRecommendationStore(),
      workOrders: new InMemoryWorkOrderStore(),
      events: bus,
      relatedAlarms: (assetId) =>
        engine.list({ assetId }).map((a) => ({ alarmId: a.id, correlationId: a.correlationId })),
    });
    // The RUL model's output arrives as a derived tag in a sample batch.
    maintenance.attach(bus, (tagId) =>
      tagId === 'engine-3/rul'
        ? { assetId: 'engine-3', kind: 'rul', modelId: 'cmapss-rul', modelVersion: '2.0.1' }
        : undefined,
    );

    bus.emit('samples', batchOf([['engine-3/rul', 41]], clock.now(), 'batch-7f3a'));
    await notifications.queue.idle();

    expect(engine.get('engine-3.rul').correlationId).toBe('batch-7f3a');
    expect(desktop.map((d) => d.correlationId)).toEqual(['batch-7f3a']);
    const [rec] = maintenance.list();
    expect(rec).toMatchObject({
      correlationId: 'batch-7f3a',
      evidence: { relatedAlarms: [{ alarmId: 'engine-3.rul', correlationId: 'batch-7f3a' }] },
    });
    const { workOrder } = maintenance.approve(rec!.id, 'eng');
    expect(workOrder.correlationId).toBe('batch-7f3a');
    await notifications.dispose();
    engine.dispose();
  });
});
